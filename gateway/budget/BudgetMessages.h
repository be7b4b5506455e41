#pragma once

#include "BudgetAlert.h"
#include "BudgetDenial.h"

#include <QString>

// The sentences a user reads when a budget refuses or cuts a request, or raises an alert: which
// rule, for whom, the figures, and what to do about it. Built from the denial or alert itself.
class BudgetMessages
{
public:
    // Refused before forwarding: spent + held + this request's worst case would pass the cap.
    static QString refused(const BudgetDenial &denial, qint64 nowMs);
    // Refused before forwarding by a per-request rule: the prompt alone is over the cap.
    static QString refusedPerRequest(const BudgetDenial &denial);
    // Refused before forwarding by a clamping rule: what is left, after the prompt (about
    // `promptTokens`), holds fewer than `floor` output tokens. `denial.requested` is what the
    // request would need at least (prompt + floor in tokens, or their cost).
    static QString spentDown(const BudgetDenial &denial, qint64 promptTokens, qint64 floor, qint64 nowMs);
    // Cut mid-stream: the window's actual usage passed the cap.
    static QString cut(const BudgetDenial &denial, qint64 nowMs);
    // Cut mid-stream by a per-request rule: this response alone passed the cap.
    static QString cutPerRequest(const BudgetDenial &denial);
    static QString alert(const BudgetAlert &alert, qint64 nowMs);
};
