#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

// Prometheus text exposition parsed back into samples, for tests that read numbers from a scrape
// rather than match strings: label values unescaped, values as doubles (+Inf, NaN included).
class MetricsText
{
public:
    struct Sample
    {
        QString name;
        QMap<QString, QString> labels;
        double value = 0;
    };

    // Lines that are neither comments nor samples make `error` say which.
    explicit MetricsText(const QByteArray &text);

    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    const QList<Sample> &samples() const { return m_samples; }
    // The `# TYPE` of a family, empty if it has none.
    QString typeOf(const QString &family) const { return m_types.value(family); }

    // Sum of every sample named `name` whose labels include all of `match`.
    double sum(const QString &name, const QMap<QString, QString> &match = {}) const;
    // How many samples of `name` match.
    int count(const QString &name, const QMap<QString, QString> &match = {}) const;

private:
    bool parseLine(const QByteArray &line);

    QList<Sample> m_samples;
    QMap<QString, QString> m_types;
    QString m_error;
};
