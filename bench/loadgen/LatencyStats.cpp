#include "LatencyStats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

void LatencyStats::sort()
{
    if (m_sorted)
        return;
    std::sort(m_samples.begin(), m_samples.end());
    m_sorted = true;
}

double LatencyStats::percentile(double p)
{
    if (m_samples.empty())
        return 0;
    sort();
    const double rank = std::ceil(p / 100.0 * double(m_samples.size()));
    const std::size_t index = std::size_t(std::clamp(rank, 1.0, double(m_samples.size()))) - 1;
    return m_samples[index];
}

double LatencyStats::mean() const
{
    if (m_samples.empty())
        return 0;
    return std::accumulate(m_samples.begin(), m_samples.end(), 0.0) / double(m_samples.size());
}

double LatencyStats::max()
{
    return m_samples.empty() ? 0 : percentile(100);
}

QString LatencyStats::summary(const QString &prefix)
{
    auto f = [](double v) { return QString::number(v, 'f', 3); };
    return QStringLiteral("%1p50_ms=%2 %1p90_ms=%3 %1p99_ms=%4 %1p999_ms=%5 %1max_ms=%6 %1mean_ms=%7")
        .arg(prefix, f(percentile(50)), f(percentile(90)), f(percentile(99)), f(percentile(99.9)), f(max()), f(mean()));
}
