#include "CountersTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

QString CountersTable::columnList()
{
    return QStringLiteral("rule, subject, window_start, tokens, cost_micros, requests");
}

QString CountersTable::addSql()
{
    return QStringLiteral(
        "INSERT INTO budget_counters (rule, subject, window_start, tokens, cost_micros, requests, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (rule, subject, window_start) DO UPDATE SET "
        "tokens = tokens + excluded.tokens, cost_micros = cost_micros + excluded.cost_micros, "
        "requests = requests + excluded.requests, updated_at = excluded.updated_at");
}

void CountersTable::bindAdd(QSqlQuery &query, const CounterDelta &delta, qint64 updatedAt)
{
    // Spend never goes backwards: a negative delta (a refund, a provider reporting fewer tokens
    // than estimated, a bug further up) would hand back budget that other requests may already
    // have been admitted against. It is clamped to 0 rather than refused, so the request's row
    // and the rest of its spend are still stored.
    int i = 0;
    query.bindValue(i++, ColumnCodec::text(delta.key.rule));
    query.bindValue(i++, ColumnCodec::text(delta.key.subject));
    query.bindValue(i++, delta.key.windowStart);
    query.bindValue(i++, std::max<qint64>(0, delta.tokens));
    query.bindValue(i++, std::max<qint64>(0, delta.costMicros));
    query.bindValue(i++, std::max<qint64>(0, delta.requests));
    query.bindValue(i++, updatedAt);
}

CounterTotals CountersTable::read(const QSqlQuery &query, int first)
{
    CounterTotals totals;
    int i = first;
    totals.key.rule = query.value(i++).toString();
    totals.key.subject = query.value(i++).toString();
    totals.key.windowStart = query.value(i++).toLongLong();
    totals.tokens = query.value(i++).toLongLong();
    totals.costMicros = query.value(i++).toLongLong();
    totals.requests = query.value(i++).toLongLong();
    return totals;
}

QString CountersTable::selectAllSql()
{
    return QStringLiteral("SELECT %1 FROM budget_counters ORDER BY rule, subject, window_start").arg(columnList());
}
