#pragma once

#include "CounterFamily.h"
#include "HistogramFamily.h"
#include "LabelBound.h"
#include "MetricsGauges.h"

#include <QByteArray>

struct UsageRecord;

// The gateway's Prometheus metrics: counters and histograms fed by every finished request's row
// (refusals included), counters for session trips and kills (Gateway::openBreaker), and the
// gauges read at scrape time (MetricsGauges) rendered with them. Every label is bounded
// (LabelBound, and SeriesIndex per family); no session id is ever a label. Gateway thread only.
// docs/metrics.md lists every metric.
class GatewayMetrics
{
public:
    // Caps on distinct values per label; the rest read "other".
    static constexpr int MaxTenants = 64;
    static constexpr int MaxModels = 128;
    static constexpr int MaxUpstreams = 32;
    static constexpr int MaxEndpoints = 32;
    static constexpr int MaxCodes = 64;
    static constexpr int MaxKinds = 64;
    static constexpr int MaxSignals = 32;
    static constexpr int MaxScopes = 8;
    // Cap on series per labelled family.
    static constexpr int MaxSeries = 2000;

    static constexpr double DurationBuckets[] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600};
    static constexpr double TtftBuckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30};

    GatewayMetrics();

    // One finished request, as recorded: O(1) in the number of series.
    void observe(const UsageRecord &row);
    // A session tripped by a detector `signal` (e.g. "loop", "budget"), or blocked by hand at
    // `scope` ("session", "tenant", "all").
    void noteTrip(const QString &signal);
    void noteKill(const QString &scope);

    // The whole exposition, Content-Type text/plain; version=0.0.4.
    QByteArray render(const MetricsGauges &gauges) const;

    // For tests and readers: the counters as they stand.
    const CounterFamily &requests() const { return m_requests; }
    const CounterFamily &tokens() const { return m_tokens; }
    const CounterFamily &cost() const { return m_cost; }
    const CounterFamily &refusals() const { return m_refusals; }
    const HistogramFamily &durations() const { return m_duration; }

    // Whether a row's error kind is TokenFuse saying no before anything was sent upstream
    // (budget_exceeded, rate_limited, invalid_api_key, ...) rather than an upstream's or the
    // client's doing (upstream_*, client_closed) or shutdown (cancelled).
    static bool isGatewayKind(const QString &kind);

private:
    void renderGauges(PrometheusText &out, const MetricsGauges &gauges) const;

    qint64 m_startMs;
    LabelBound m_tenantBound{MaxTenants};
    LabelBound m_modelBound{MaxModels};
    LabelBound m_upstreamBound{MaxUpstreams};
    LabelBound m_endpointBound{MaxEndpoints};
    LabelBound m_codeBound{MaxCodes};
    LabelBound m_kindBound{MaxKinds};
    LabelBound m_signalBound{MaxSignals};
    LabelBound m_scopeBound{MaxScopes};

    CounterFamily m_requests;
    CounterFamily m_tokens;
    CounterFamily m_cost;
    CounterFamily m_errors;
    CounterFamily m_refusals;
    CounterFamily m_cuts;
    CounterFamily m_trips;
    CounterFamily m_kills;
    HistogramFamily m_duration;
    HistogramFamily m_ttft;
    mutable qsizetype m_lastSize = 16 * 1024; // the previous scrape's size, to reserve the next
};
