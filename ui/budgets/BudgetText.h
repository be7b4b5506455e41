#pragma once

#include "budget/BudgetRule.h"
#include "budget/BudgetUsage.h"

#include <QString>

// The short texts the Budgets page shows for a rule and its counters: what it applies to, its
// caps, its usage against them and when its window resets. Pure functions, tested with the model.
namespace BudgetText {

// "every request", "tenant acme-*", "session agent-7", "model gpt-4o*"
QString appliesTo(const BudgetRule &rule);
// "1.2M tok · $5.00 · 100 req", each cap the rule sets
QString caps(const BudgetRule &rule);
// What a counter has used of each cap: "640k / 1.2M tok · $2.10 / $5.00"
QString usage(const BudgetRule &rule, const BudgetCounterUsage &counter);
// When the window ends (the Resets column): "00:00, in 4 h 12 min", "1 Jan, in 29 d 22 h",
// "never", "per request"
QString resets(qint64 windowEndMs, BudgetWindow window, qint64 nowMs);
// "in 4 h 12 min", "in 35 min", "in 3 d 2 h"
QString remaining(qint64 ms);

} // namespace BudgetText
