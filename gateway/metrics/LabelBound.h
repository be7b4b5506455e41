#pragma once

#include <QSet>
#include <QString>

// Keeps one label's values few: the first `maxValues` distinct values seen are kept as they are,
// every later one becomes "other" (for the life of the process). Values are cut to
// MaxValueLength characters. A client can send any X-Tenant-ID or model name; without this
// bound each one would become a time series of its own in every Prometheus that scrapes.
class LabelBound
{
public:
    static constexpr qsizetype MaxValueLength = 128;
    static inline const QString Other = QStringLiteral("other");

    explicit LabelBound(int maxValues) : m_max(maxValues) {}

    // The value as a label: itself, cut to length, when it is known or there is room and `mayAdd`;
    // else "other". `mayAdd` false keeps values that only refused requests carry (a made-up model
    // name in a 404) from taking the room of real ones.
    QString bounded(const QString &value, bool mayAdd = true);

    int maxValues() const { return m_max; }
    qsizetype known() const { return m_values.size(); }
    // How many values were folded into "other" so far.
    qint64 folded() const { return m_folded; }

private:
    int m_max;
    QSet<QString> m_values;
    qint64 m_folded = 0;
};
