#pragma once

#include <QList>
#include <QtGlobal>

#include <span>

// One Prometheus histogram series: observations counted into fixed buckets (upper bounds,
// ascending, +Inf implied), with their sum and count. Bounds are the caller's static arrays
// (see GatewayMetrics), shared by every series of a family, so a series is its counts alone.
class Histogram
{
public:
    explicit Histogram(std::span<const double> bounds);

    // O(log buckets). A value equal to a bound counts in that bound's bucket (le: "less or equal").
    void observe(double value);

    std::span<const double> bounds() const { return m_bounds; }
    // Observations in bucket i alone: above bounds()[i - 1], at most bounds()[i]; i == bounds().size()
    // is the +Inf bucket.
    qint64 bucketCount(qsizetype i) const { return m_perBucket.value(i); }
    // Observations <= bounds()[i]: cumulative, as the exposition format wants it.
    qint64 cumulativeCount(qsizetype i) const;
    qint64 count() const { return m_count; }
    double sum() const { return m_sum; }

private:
    std::span<const double> m_bounds;
    QList<qint64> m_perBucket; // not cumulative; the last one is +Inf
    qint64 m_count = 0;
    double m_sum = 0;
};
