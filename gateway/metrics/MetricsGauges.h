#pragma once

#include "BudgetGauge.h"

#include <QHash>
#include <QList>
#include <QString>

// One configured upstream, for tokenfuse_upstream_info and tokenfuse_upstream_breaker_state.
struct UpstreamGauge
{
    QString name;
    QString dialect;         // "openai" or "anthropic"; "any" for the built-in simulator serving all
    QString breaker = QStringLiteral("closed"); // "closed", "open", "half_open"
    int inFlight = 0;
    int queued = 0;          // waiting for one of its concurrency slots
    int limit = 0;           // the concurrency limit in force (adaptive); 0: none
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
