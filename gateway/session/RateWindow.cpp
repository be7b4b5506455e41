#include "RateWindow.h"

void RateWindow::add(qint64 atMs, qint64 requests, qint64 tokens, qint64 costMicros)
{
    const qint64 start = atMs - (atMs % m_bucketMs + m_bucketMs) % m_bucketMs;
    // Events come in time order on one thread; one that is a little late joins the newest bucket.
    if (m_buckets.empty() || m_buckets.back().startMs < start)
        m_buckets.push_back({start, {0, 0, 0, atMs}});
    Sum &s = m_buckets.back().sum;
    s.requests += requests;
    s.tokens += tokens;
    s.costMicros += costMicros;
    s.firstMs = qMin(s.firstMs, atMs);
}

RateWindow::Sum RateWindow::sum(qint64 fromMs, qint64 toMs) const
{
    Sum total;
    for (auto it = m_buckets.rbegin(); it != m_buckets.rend() && it->startMs + m_bucketMs > fromMs; ++it) {
        if (it->startMs >= toMs)
            continue;
        total.requests += it->sum.requests;
        total.tokens += it->sum.tokens;
        total.costMicros += it->sum.costMicros;
        total.firstMs = it->sum.firstMs;
    }
    return total;
}

void RateWindow::prune(qint64 beforeMs)
{
    while (!m_buckets.empty() && m_buckets.front().startMs + m_bucketMs <= beforeMs)
        m_buckets.pop_front();
}
