#pragma once

#include "UsageSamples.h"
#include "budget/CounterKey.h"
#include "store/StoreRecords.h"

#include <QHash>

// Plausible reservations and spend for store tests, matching UsageSamples::sample(n): the same
// values every time for the same n, on a few counters shared between requests.
namespace BudgetSamples {

inline qint64 dayStart() { return 1'741'564'800'000; }

inline QList<CounterKey> keys(int n)
{
    const UsageRecord row = UsageSamples::sample(n);
    return {
        {QStringLiteral("tenant|*|day"), row.tenant, dayStart()},
        {QStringLiteral("model|*|day"), row.model, dayStart()},
        {QStringLiteral("global|*|total"), QString(), 0},
    };
}

// What request n really spent: its tokens and cost, one request, on every counter it touches.
inline QList<CounterDelta> spend(int n)
{
    const UsageRecord row = UsageSamples::sample(n);
    QList<CounterDelta> deltas;
    for (const CounterKey &key : keys(n))
        deltas.append({key, row.promptTokens + row.completionTokens, row.costMicros, 1});
    return deltas;
}

// The worst case held for request n before it was forwarded: always above what it spends.
inline ReservationRecord reservation(int n)
{
    const UsageRecord row = UsageSamples::sample(n);
    ReservationRecord r;
    r.requestId = row.id;
    r.createdAt = row.startedAt;
    r.tenant = row.tenant;
    r.session = row.session;
    r.model = row.model;
    r.endpoint = row.endpoint;
    r.worstPromptTokens = row.promptTokens + 10;
    r.worstCompletionTokens = 4096;
    r.worstCostMicros = 50'000 + n;
    r.currency = row.currency;
    for (const CounterKey &key : keys(n))
        r.holds.append({key, r.worstPromptTokens + r.worstCompletionTokens, r.worstCostMicros, 1});
    return r;
}

// "req-00000042" back to 42.
inline int number(const QString &requestId)
{
    return requestId.mid(4).toInt();
}

inline void add(QHash<CounterKey, CounterTotals> &totals, const QList<CounterDelta> &deltas)
{
    for (const CounterDelta &delta : deltas) {
        CounterTotals &total = totals[delta.key];
        total.key = delta.key;
        total.tokens += delta.tokens;
        total.costMicros += delta.costMicros;
        total.requests += delta.requests;
    }
}

inline QHash<CounterKey, CounterTotals> byKey(const QList<CounterTotals> &list)
{
    QHash<CounterKey, CounterTotals> totals;
    add(totals, list);
    return totals;
}

} // namespace BudgetSamples
