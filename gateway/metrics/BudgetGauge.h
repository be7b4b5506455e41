#pragma once

#include <QList>
#include <QString>

#include <optional>

struct BudgetUsage;

// What is left of one budget counter (a rule for one subject in its current window), for
// tokenfuse_budget_remaining_*: cap - spent - reserved per capped dimension, never below 0, as
// the x-tokenfuse-budget-remaining header counts it.
struct BudgetGauge
{
    QString rule;            // the rule's display name
    QString subject;         // tenant, session or model the counter is for; empty for global rules
    QString currency;
    std::optional<qint64> remainingTokens;
    std::optional<qint64> remainingCostMicros;
    std::optional<qint64> remainingRequests;
    double usedRatio = 0;    // (spent + in flight) / cap of the fullest capped dimension

    static constexpr int DefaultMax = 100;
    // One gauge per counter of every windowed rule (per-request rules hold no counter), at most
    // `max`: the fullest first, so the ones about to refuse are never the ones left out. A
    // (rule, subject) pair appears once even when two rules share a display name. Session-scoped
    // rules count per session id, a label value that changes with every session: left out
    // unless `includeSessions`.
    static QList<BudgetGauge> fromUsage(const QList<BudgetUsage> &usage, int max = DefaultMax, bool includeSessions = false);
};
