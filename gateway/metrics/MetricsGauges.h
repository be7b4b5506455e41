#pragma once

#include "BudgetGauge.h"

#include <QHash>
#include <QList>
#include <QString>

// One configured upstream, for tokenfuse_upstream_info. The upstream breaker's state (closed,
// open, half-open) belongs here once upstreams have breakers, rendered as
// tokenfuse_upstream_breaker_state next to the info metric.
struct UpstreamGauge
{
    QString name;
    QString dialect;         // "openai" or "anthropic"; "any" for the built-in simulator serving all
};

// What the gateway reads at scrape time, handed to GatewayMetrics::render: plain values, so the
// metrics never reach into the server, the store, the ledger or the session book themselves.
struct MetricsGauges
{
    int inFlight = 0;
    int openConnections = 0;
    bool storeWritable = true;
    // Sessions by state ("active", "throttled", "tripped", "killed"); a missing state renders 0.
    QHash<QString, int> sessionsByState;
    bool stoppedAll = false;
    QList<BudgetGauge> budgets;
    QList<UpstreamGauge> upstreams;
};
