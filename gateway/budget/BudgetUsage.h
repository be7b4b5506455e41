#pragma once

#include "BudgetAmounts.h"
#include "BudgetRule.h"

#include <QList>
#include <QString>

// One counter of a rule in the current window, as the console and the admin API show it.
struct BudgetCounterUsage
{
    QString subject;            // empty for global
    BudgetAmounts spent;        // settled
    BudgetAmounts reserved;     // worst cases held by requests in flight
    BudgetAmounts inFlight;     // actual usage so far of requests in flight (requests: how many)
    double fraction = 0;        // (spent + in flight) / cap, the fullest capped dimension
};

// A rule with its counters in the current window.
struct BudgetUsage
{
    BudgetRule rule;
    qint64 windowStart = 0;     // ms since the epoch; 0 for total and request
    qint64 windowEnd = 0;       // 0: never ends
    QList<BudgetCounterUsage> counters;
};
