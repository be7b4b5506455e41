#pragma once

#include "GatewaySnapshot.h"

#include <QList>

struct UsageRecord;

// The running totals the gateway's snapshots carry: requests, failures, tokens and cost since
// start, and what changed since the previous published snapshot (deltas, latency percentiles).
class GatewayTotals
{
public:
    // One finished request (or refusal), as it is recorded.
    void add(const UsageRecord &row);
    // A snapshot holding the totals since start, the other fields at their defaults.
    GatewaySnapshot totals() const { return m_totals; }
    // Fills in the deltas and latency percentiles since the previous call, and starts anew.
    void takeSincePublish(GatewaySnapshot *s);

private:
    GatewaySnapshot m_totals;
    struct { qint64 requests = 0, tokens = 0, costMicros = 0; } m_atLastPublish;
    QList<qint64> m_latencies; // since the last snapshot
};
