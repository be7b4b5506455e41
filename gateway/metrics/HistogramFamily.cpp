#include "HistogramFamily.h"

#include "PrometheusText.h"

HistogramFamily::HistogramFamily(QByteArray name, QByteArray help, QList<QByteArray> labelNames,
                                 std::span<const double> bounds, int maxSeries)
    : m_name(std::move(name)), m_help(std::move(help)), m_bounds(bounds), m_series(std::move(labelNames), maxSeries)
{
}

void HistogramFamily::observe(const QStringList &values, double value)
{
    bool added = false;
    const qsizetype i = m_series.indexOf(values, &added);
    if (added)
        m_histograms.append(Histogram(m_bounds));
    m_histograms[i].observe(value);
}

std::optional<Histogram> HistogramFamily::series(const QStringList &values) const
{
    const qsizetype i = m_series.find(values);
    if (i < 0)
        return std::nullopt;
    return m_histograms.at(i);
}

void HistogramFamily::render(PrometheusText &out) const
{
    out.family(m_name, "histogram", m_help);
    for (qsizetype i = 0; i < m_histograms.size(); ++i)
        out.histogram(m_name, m_series.labels(i), m_histograms.at(i));
}
