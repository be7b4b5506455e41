#pragma once

#include <QtGlobal>

// Usage of one request: its worst case at admission, its actual usage so far while it streams,
// or its real usage when it ends. Money in micro-units of the rule's currency.
struct BudgetDemand
{
    qint64 tokens = 0;      // prompt + completion
    qint64 costMicros = 0;
    // The part of the worst case the caller cannot shrink (the prompt). Only per-request rules look
    // at it: a request whose prompt alone exceeds such a cap is refused; any other request is
    // admitted and cut by progress() when its actual usage crosses the cap.
    qint64 promptTokens = 0;
    qint64 promptCostMicros = 0;
};
