#pragma once

#include <QtGlobal>

#include <deque>

// Counts over time in fixed-width buckets: requests, tokens and cost, for the velocity and spend
// signals. Memory is one small bucket per `bucketMs` that saw anything, kept as long as asked.
class RateWindow
{
public:
    explicit RateWindow(qint64 bucketMs = 1000) : m_bucketMs(bucketMs) {}

    struct Sum
    {
        qint64 requests = 0;
        qint64 tokens = 0;
        qint64 costMicros = 0;
        qint64 firstMs = -1;  // the earliest event summed, -1 when none
    };

    void add(qint64 atMs, qint64 requests, qint64 tokens = 0, qint64 costMicros = 0);
    // Events in buckets that start at or after `fromMs` and before `toMs`.
    Sum sum(qint64 fromMs, qint64 toMs) const;
    void prune(qint64 beforeMs);
    void clear() { m_buckets.clear(); }
    bool isEmpty() const { return m_buckets.empty(); }
    qint64 earliestMs() const { return m_buckets.empty() ? -1 : m_buckets.front().sum.firstMs; }

private:
    struct Bucket
    {
        qint64 startMs = 0;
        Sum sum;
    };
    qint64 m_bucketMs;
    std::deque<Bucket> m_buckets;
};
