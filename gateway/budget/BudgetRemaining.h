#pragma once

#include "BudgetFormat.h"

#include <QString>

// What is left of the tightest budget that applies to a subject, for the response header
// x-tokenfuse-budget-remaining. Empty (isEmpty()) when no budget applies.
struct BudgetRemaining
{
    QString ruleName;
    QString dimension;         // "tokens", "cost" or "requests"
    qint64 remaining = 0;      // cap - spent - reserved, never below 0; cost in micro-units
    qint64 cap = 0;
    QString unit;              // "tokens", "requests" or the currency code ("USD")
    qint64 resetMs = 0;        // when the window ends, ms since the epoch; 0: never

    bool isEmpty() const { return ruleName.isEmpty(); }
    // "4.88 USD", "1200 tokens", "7 requests": plain digits, for a header.
    QString headerValue() const
    {
        if (isEmpty())
            return QString();
        const QString number = dimension == QLatin1String("cost") ? BudgetFormat::decimal(remaining)
                                                                  : QString::number(remaining);
        return number + u' ' + unit;
    }
};
