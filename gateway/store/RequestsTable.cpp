#include "RequestsTable.h"

#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace {

const char *const kColumns[] = {
    "id", "started_at", "ended_at", "tenant", "session", "model", "upstream", "endpoint", "stream",
    "status", "prompt_tokens", "completion_tokens", "cached_tokens", "cost_micros", "currency",
    "latency_ms", "ttft_ms", "error", "estimated", "price_known", "key_fingerprint", "reasoning_tokens",
    "clamped_max_tokens", "attempts", "fallback_from",
};
constexpr int kColumnCount = int(sizeof(kColumns) / sizeof(kColumns[0]));

// Qt binds a null QString as SQL NULL, which the NOT NULL text columns refuse.
QString text(const QString &value)
{
    static const QString empty = QStringLiteral("");
    return value.isNull() ? empty : value;
}

} // namespace

QString RequestsTable::columnList()
{
    QStringList names;
    for (const char *name : kColumns)
        names.append(QLatin1String(name));
    return names.join(QLatin1String(", "));
}

QString RequestsTable::upsertSql()
{
    QStringList placeholders;
    QStringList updates;
    for (const char *name : kColumns) {
        placeholders.append(QStringLiteral("?"));
        if (qstrcmp(name, "id") != 0)
            updates.append(QStringLiteral("%1 = excluded.%1").arg(QLatin1String(name)));
    }
    return QStringLiteral("INSERT INTO requests (%1) VALUES (%2) ON CONFLICT (id) DO UPDATE SET %3")
        .arg(columnList(), placeholders.join(QLatin1String(", ")), updates.join(QLatin1String(", ")));
}

void RequestsTable::bind(QSqlQuery &query, const UsageRecord &row)
{
    int i = 0;
    query.bindValue(i++, text(row.id));
    query.bindValue(i++, row.startedAt);
    query.bindValue(i++, row.endedAt);
    query.bindValue(i++, text(row.tenant));
    query.bindValue(i++, text(row.session));
    query.bindValue(i++, text(row.model));
    query.bindValue(i++, text(row.upstream));
    query.bindValue(i++, text(row.endpoint));
    query.bindValue(i++, row.stream ? 1 : 0);
    query.bindValue(i++, row.status);
    query.bindValue(i++, row.promptTokens);
    query.bindValue(i++, row.completionTokens);
    query.bindValue(i++, row.cachedTokens);
    query.bindValue(i++, row.costMicros);
    query.bindValue(i++, text(row.currency));
    query.bindValue(i++, row.latencyMs);
    query.bindValue(i++, row.ttftMs);
    query.bindValue(i++, text(row.error));
    query.bindValue(i++, row.estimated ? 1 : 0);
    query.bindValue(i++, row.priceKnown ? 1 : 0);
    query.bindValue(i++, text(row.keyFingerprint));
    query.bindValue(i++, row.reasoningTokens);
    query.bindValue(i++, row.clampedMaxTokens);
    query.bindValue(i++, row.attempts);
    query.bindValue(i++, text(row.fallbackFrom));
    Q_ASSERT(i == kColumnCount);
}

UsageRecord RequestsTable::read(const QSqlQuery &query, int first)
{
    UsageRecord row;
    int i = first;
    row.id = query.value(i++).toString();
    row.startedAt = query.value(i++).toLongLong();
    row.endedAt = query.value(i++).toLongLong();
    row.tenant = query.value(i++).toString();
    row.session = query.value(i++).toString();
    row.model = query.value(i++).toString();
    row.upstream = query.value(i++).toString();
    row.endpoint = query.value(i++).toString();
    row.stream = query.value(i++).toLongLong() != 0;
    row.status = query.value(i++).toInt();
    row.promptTokens = query.value(i++).toLongLong();
    row.completionTokens = query.value(i++).toLongLong();
    row.cachedTokens = query.value(i++).toLongLong();
    row.costMicros = query.value(i++).toLongLong();
    row.currency = query.value(i++).toString();
    row.latencyMs = query.value(i++).toLongLong();
    row.ttftMs = query.value(i++).toLongLong();
    row.error = query.value(i++).toString();
    row.estimated = query.value(i++).toLongLong() != 0;
    row.priceKnown = query.value(i++).toLongLong() != 0;
    row.keyFingerprint = query.value(i++).toString();
    row.reasoningTokens = query.value(i++).toLongLong();
    row.clampedMaxTokens = query.value(i++).toLongLong();
    row.attempts = query.value(i++).toInt();
    row.fallbackFrom = query.value(i++).toString();
    Q_ASSERT(i - first == kColumnCount);
    return row;
}
