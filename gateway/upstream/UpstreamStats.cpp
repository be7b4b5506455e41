#include "UpstreamStats.h"

#include <algorithm>
#include <vector>

namespace {
qint64 percentile(std::vector<qint64> &values, double p)
{
    if (values.empty())
        return -1;
    const std::size_t rank = std::min(values.size() - 1, std::size_t(p * double(values.size())));
    std::nth_element(values.begin(), values.begin() + qsizetype(rank), values.end());
    return values[rank];
}
} // namespace

void UpstreamStats::add(qint64 atMs, qint64 latencyMs, qint64 ttftMs, bool failed)
{
    m_samples.push_back({atMs, latencyMs, ttftMs, failed});
    while (m_samples.size() > MaxSamples)
        m_samples.pop_front();
}

void UpstreamStats::expire(qint64 nowMs)
{
    while (!m_samples.empty() && m_samples.front().atMs < nowMs - m_windowMs)
        m_samples.pop_front();
}

UpstreamStats::Figures UpstreamStats::figures(qint64 nowMs)
{
    expire(nowMs);
    Figures f;
    std::vector<qint64> latency;
    std::vector<qint64> ttft;
    latency.reserve(m_samples.size());
    for (const Sample &s : m_samples) {
        ++f.requests;
        f.failures += s.failed;
        if (!s.failed)
            latency.push_back(s.latencyMs);
        if (!s.failed && s.ttftMs >= 0) // a failure's "first byte" was its error
            ttft.push_back(s.ttftMs);
    }
    f.latencyP50Ms = percentile(latency, 0.5);
    f.latencyP99Ms = percentile(latency, 0.99);
    f.ttftP50Ms = percentile(ttft, 0.5);
    return f;
}
