#pragma once

#include "GatewaySnapshot.h"

#include <QHash>
#include <QList>

struct UsageRecord;

// The running figures the gateway's snapshots carry: totals since start, spend today, and what
// happened since the previous published snapshot (deltas, outcomes, latency and time-to-first-token
// percentiles, spend by model and tenant, the requests that ended). Bounded between publishes: a
// burst of requests adds to counters and one latency list, and only the latest rows are kept.
class GatewayTotals
{
public:
    // One finished request (or refusal), as it is recorded.
    void add(const UsageRecord &row);
    // Requests recorded before this start (the store's latest), for the console's request log.
    void seedRecent(const QList<UsageRecord> &oldestFirst);
    // What today's stored requests cost, since local midnight at dayStartMs.
    void seedToday(qint64 dayStartMs, qint64 costMicros);
    // A snapshot holding the totals since start and today's spend, the other fields at their defaults.
    GatewaySnapshot totals() const { return m_totals; }
    // Fills in everything since the previous call, and starts anew; `nowMs` rolls today over at midnight.
    void takeSincePublish(GatewaySnapshot *s, qint64 nowMs);

    static OutcomeCounts::Kind outcomeOf(const UsageRecord &row);

private:
    void rollDay(qint64 nowMs);
    static QList<SpendSlice> slices(const QHash<QString, SpendSlice> &byKey);

    GatewaySnapshot m_totals;
    struct { qint64 requests = 0, tokens = 0, costMicros = 0; } m_atLastPublish;
    // Since the last snapshot:
    QList<qint64> m_latencies;
    QList<qint64> m_ttfts;
    OutcomeCounts m_outcomes;
    QHash<QString, SpendSlice> m_byModel;
    QHash<QString, SpendSlice> m_byTenant;
    QList<UsageRecord> m_recorded;
    qint64 m_recordedSkipped = 0;
};
