#pragma once

#include "Histogram.h"
#include "SeriesIndex.h"

#include <optional>

class PrometheusText;

// One histogram metric with labels, every series on the same fixed buckets.
class HistogramFamily
{
public:
    HistogramFamily(QByteArray name, QByteArray help, QList<QByteArray> labelNames, std::span<const double> bounds, int maxSeries);

    void observe(const QStringList &values, double value);
    // The series, if anything was observed for it.
    std::optional<Histogram> series(const QStringList &values) const;
    void render(PrometheusText &out) const;

private:
    QByteArray m_name;
    QByteArray m_help;
    std::span<const double> m_bounds;
    SeriesIndex m_series;
    QList<Histogram> m_histograms;
};
