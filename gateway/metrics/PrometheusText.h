#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <initializer_list>
#include <utility>

class Histogram;

// Writes the Prometheus text exposition format (version 0.0.4): per family `# HELP` and `# TYPE`
// once, then its samples; a histogram as cumulative `_bucket{le=...}` lines ending with
// le="+Inf", then `_sum` and `_count`. Label sets are rendered once per series (labels()) and
// reused at every scrape, so a scrape is appends into one pre-sized buffer.
class PrometheusText
{
public:
    explicit PrometheusText(qsizetype reserve = 16 * 1024);

    // `help` escaped as the format wants (backslash, newline); `type` counter, gauge, histogram...
    void family(QByteArrayView name, QByteArrayView type, QByteArrayView help);
    // `labels` as labels() renders them ("" or {a="x",b="y"}).
    void sample(QByteArrayView name, QByteArrayView labels, qint64 value);
    void sample(QByteArrayView name, QByteArrayView labels, double value);
    void histogram(QByteArrayView name, QByteArrayView labels, const Histogram &h);

    qsizetype size() const { return m_out.size(); }
    QByteArray take() { return std::move(m_out); }

    // {name="value",...} with each value escaped; "" for no labels. Names must be valid label
    // names ([a-zA-Z_][a-zA-Z0-9_]*): they are the caller's constants, not checked here.
    static QByteArray labels(std::initializer_list<std::pair<QByteArrayView, QString>> pairs);
    static QByteArray labels(const QList<QByteArray> &names, const QStringList &values);
    // A label value: backslash, double quote and newline escaped, UTF-8.
    static QByteArray escapeLabelValue(const QString &value);
    // A number as Go's ParseFloat reads it: integers without exponent where exact, +Inf, -Inf, NaN.
    static QByteArray number(double value);

private:
    void appendLabelsWithLe(QByteArrayView labels, QByteArrayView le);

    QByteArray m_out;
};
