#pragma once

#include "BudgetRule.h"

#include <QString>

// A counter of a rule crossed the rule's alert threshold (alert_at of a cap) or its cap, in some
// dimension. Raised once per rule, subject, window and level.
struct BudgetAlert
{
    BudgetRule rule;
    QString subject;           // empty for global
    QString dimension;         // "tokens", "cost" or "requests"
    double fraction = 0;       // spent / cap when it crossed
    bool capReached = false;   // the 100 % alert rather than the alert_at one
    qint64 spent = 0;          // spent + in flight, in the dimension's unit
    qint64 cap = 0;
    qint64 windowResetMs = 0;  // 0: the window never ends
    QString message;
};
