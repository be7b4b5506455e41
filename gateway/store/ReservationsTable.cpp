#include "ReservationsTable.h"

#include "ColumnCodec.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace {

const char *const kColumns[] = {
    "request_id", "created_at", "tenant", "session", "model", "endpoint", "worst_prompt_tokens",
    "worst_completion_tokens", "worst_cost_micros", "currency", "holds",
};
constexpr int kColumnCount = int(sizeof(kColumns) / sizeof(kColumns[0]));

} // namespace

QString ReservationsTable::columnList()
{
    QStringList names;
    for (const char *name : kColumns)
        names.append(QLatin1String(name));
    return names.join(QLatin1String(", "));
}

QString ReservationsTable::upsertSql()
{
    QStringList placeholders;
    QStringList updates;
    for (const char *name : kColumns) {
        placeholders.append(QStringLiteral("?"));
        if (qstrcmp(name, "request_id") != 0)
            updates.append(QStringLiteral("%1 = excluded.%1").arg(QLatin1String(name)));
    }
    return QStringLiteral("INSERT INTO reservations (%1) VALUES (%2) ON CONFLICT (request_id) DO UPDATE SET %3")
        .arg(columnList(), placeholders.join(QLatin1String(", ")), updates.join(QLatin1String(", ")));
}

void ReservationsTable::bind(QSqlQuery &query, const ReservationRecord &reservation)
{
    int i = 0;
    query.bindValue(i++, ColumnCodec::text(reservation.requestId));
    query.bindValue(i++, reservation.createdAt);
    query.bindValue(i++, ColumnCodec::text(reservation.tenant));
    query.bindValue(i++, ColumnCodec::text(reservation.session));
    query.bindValue(i++, ColumnCodec::text(reservation.model));
    query.bindValue(i++, ColumnCodec::text(reservation.endpoint));
    query.bindValue(i++, reservation.worstPromptTokens);
    query.bindValue(i++, reservation.worstCompletionTokens);
    query.bindValue(i++, reservation.worstCostMicros);
    query.bindValue(i++, ColumnCodec::text(reservation.currency));
    query.bindValue(i++, holdsText(reservation.holds));
    Q_ASSERT(i == kColumnCount);
}

ReservationRecord ReservationsTable::read(const QSqlQuery &query, int first)
{
    ReservationRecord reservation;
    int i = first;
    reservation.requestId = query.value(i++).toString();
    reservation.createdAt = query.value(i++).toLongLong();
    reservation.tenant = query.value(i++).toString();
    reservation.session = query.value(i++).toString();
    reservation.model = query.value(i++).toString();
    reservation.endpoint = query.value(i++).toString();
    reservation.worstPromptTokens = query.value(i++).toLongLong();
    reservation.worstCompletionTokens = query.value(i++).toLongLong();
    reservation.worstCostMicros = query.value(i++).toLongLong();
    reservation.currency = query.value(i++).toString();
    reservation.holds = holdsFromText(query.value(i++).toString());
    Q_ASSERT(i - first == kColumnCount);
    return reservation;
}

QString ReservationsTable::deleteSql()
{
    return QStringLiteral("DELETE FROM reservations WHERE request_id = ?");
}

QString ReservationsTable::selectAllSql()
{
    return QStringLiteral("SELECT %1 FROM reservations ORDER BY created_at, request_id").arg(columnList());
}

QString ReservationsTable::holdsText(const QList<CounterDelta> &holds)
{
    QJsonArray array;
    for (const CounterDelta &hold : holds) {
        array.append(QJsonObject{
            {QStringLiteral("rule"), hold.key.rule},
            {QStringLiteral("subject"), hold.key.subject},
            {QStringLiteral("window_start"), hold.key.windowStart},
            {QStringLiteral("tokens"), hold.tokens},
            {QStringLiteral("cost_micros"), hold.costMicros},
            {QStringLiteral("requests"), hold.requests},
        });
    }
    return ColumnCodec::jsonText(array);
}

QList<CounterDelta> ReservationsTable::holdsFromText(const QString &text)
{
    QList<CounterDelta> holds;
    const QJsonArray array = ColumnCodec::jsonValue(text).toArray();
    for (const QJsonValue &entry : array) {
        if (!entry.isObject())
            continue;
        const QJsonObject object = entry.toObject();
        CounterDelta hold;
        hold.key.rule = object.value(QLatin1String("rule")).toString();
        hold.key.subject = object.value(QLatin1String("subject")).toString();
        hold.key.windowStart = object.value(QLatin1String("window_start")).toInteger();
        hold.tokens = object.value(QLatin1String("tokens")).toInteger();
        hold.costMicros = object.value(QLatin1String("cost_micros")).toInteger();
        hold.requests = object.value(QLatin1String("requests")).toInteger();
        holds.append(hold);
    }
    return holds;
}
