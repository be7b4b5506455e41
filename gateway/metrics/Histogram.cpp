#include "Histogram.h"

#include <algorithm>

Histogram::Histogram(std::span<const double> bounds) : m_bounds(bounds), m_perBucket(qsizetype(bounds.size()) + 1, 0)
{
}

void Histogram::observe(double value)
{
    const auto at = std::lower_bound(m_bounds.begin(), m_bounds.end(), value); // first bound >= value
    ++m_perBucket[qsizetype(at - m_bounds.begin())];
    ++m_count;
    m_sum += value;
}

qint64 Histogram::cumulativeCount(qsizetype i) const
{
    qint64 total = 0;
    for (qsizetype b = 0; b <= i && b < m_perBucket.size(); ++b)
        total += m_perBucket[b];
    return total;
}
