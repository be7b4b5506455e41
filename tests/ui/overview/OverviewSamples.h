#pragma once

#include "core/GatewaySnapshot.h"

#include <QList>
#include <QString>

// Snapshots as the gateway publishes them, four a second, for the Overview page's tests and
// screenshots: spend by model and tenant, outcomes, percentiles.
namespace OverviewSamples {

constexpr qint64 S0 = 1'800'000'000; // a whole second since the epoch: t = 0 of every test

struct Traffic
{
    QList<SpendSlice> models;
    QList<SpendSlice> tenants;
    OutcomeCounts outcomes;
    qint64 p50 = -1, p95 = -1, p99 = -1, ttft50 = -1, ttft95 = -1;
};

inline GatewaySnapshot snapshotAt(qint64 ms, const Traffic &t)
{
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    s.takenAtMs = ms;
    s.byModelDelta = t.models;
    s.byTenantDelta = t.tenants;
    s.outcomesDelta = t.outcomes;
    s.requestsDelta = t.outcomes.total();
    for (const SpendSlice &slice : t.models) {
        s.tokensDelta += slice.tokens;
        s.costMicrosDelta += slice.costMicros;
    }
    s.latencyP50Ms = t.p50;
    s.latencyP95Ms = t.p95;
    s.latencyP99Ms = t.p99;
    s.ttftP50Ms = t.ttft50;
    s.ttftP95Ms = t.ttft95;
    return s;
}

// `seconds` seconds of snapshots from second `from` (relative to S0), four a second, each the
// same traffic; `apply` receives them in order.
template<typename Apply>
void feed(int from, int seconds, const Traffic &t, Apply apply)
{
    for (int q = 0; q < seconds * 4; ++q)
        apply(snapshotAt((S0 + from) * 1000 + q * 250, t));
}

inline SpendSlice slice(const QString &key, qint64 tokens, qint64 costMicros, qint64 requests = 1)
{
    return SpendSlice{key, requests, tokens, costMicros};
}

} // namespace OverviewSamples
