#pragma once

#include <QtGlobal>

#include <deque>

// The recent attempts at one upstream, for the console and GET /admin/v1/upstreams: how many
// ended in the last `windowMs`, how many failed, latency p50/p99 and time to first token p50.
// At most MaxSamples kept (the latest), so memory is bounded at any rate. Gateway thread only.
class UpstreamStats
{
public:
    struct Figures
    {
        qint64 requests = 0;
        qint64 failures = 0;
        qint64 latencyP50Ms = -1;
        qint64 latencyP99Ms = -1;
        qint64 ttftP50Ms = -1;
    };

    explicit UpstreamStats(qint64 windowMs = 60'000) : m_windowMs(windowMs) {}

    void add(qint64 atMs, qint64 latencyMs, qint64 ttftMs, bool failed);
    Figures figures(qint64 nowMs);

    static constexpr std::size_t MaxSamples = 4096;

private:
    struct Sample
    {
        qint64 atMs;
        qint64 latencyMs;
        qint64 ttftMs; // -1: none
        bool failed;
    };
    void expire(qint64 nowMs);

    qint64 m_windowMs;
    std::deque<Sample> m_samples;
};
