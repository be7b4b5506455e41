#pragma once

#include <QString>

// Tokens, money (micro-units) and requests counted together: what a counter has spent, holds
// reserved, or has in flight.
struct BudgetAmounts
{
    qint64 tokens = 0;
    qint64 costMicros = 0;
    qint64 requests = 0;

    bool operator==(const BudgetAmounts &) const = default;

    // By dimension name as used in denials and alerts: "tokens", "cost" or "requests".
    qint64 of(const QString &dimension) const
    {
        if (dimension == QLatin1String("tokens"))
            return tokens;
        if (dimension == QLatin1String("cost"))
            return costMicros;
        return requests;
    }
};
