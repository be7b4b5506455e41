#pragma once

#include <QMetaType>
#include <QtGlobal>

// Sums over a set of stored requests: what the console's charts and GET /admin/v1/usage show.
struct UsageTotals
{
    qint64 requests = 0;
    qint64 prompt = 0;      // prompt tokens, cached ones included
    qint64 completion = 0;  // completion tokens
    qint64 cost = 0;        // micro-units of the currency (rows of every currency added up)

    bool operator==(const UsageTotals &other) const = default;
};
Q_DECLARE_METATYPE(UsageTotals)
