#include "SessionBlocksTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

QString SessionBlocksTable::columnList()
{
    return QStringLiteral("scope, target, killed, signal, reason, actor, since_ms, until_ms, cost_at_trip_micros");
}

QString SessionBlocksTable::upsertSql()
{
    return QStringLiteral(
        "INSERT INTO session_blocks (scope, target, killed, signal, reason, actor, since_ms, until_ms, cost_at_trip_micros) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (scope, target) DO UPDATE SET killed = excluded.killed, signal = excluded.signal, "
        "reason = excluded.reason, actor = excluded.actor, since_ms = excluded.since_ms, "
        "until_ms = excluded.until_ms, cost_at_trip_micros = excluded.cost_at_trip_micros");
}

void SessionBlocksTable::bind(QSqlQuery &query, const SessionBlock &block)
{
    int i = 0;
    query.bindValue(i++, SessionBlock::scopeName(block.scope));
    query.bindValue(i++, ColumnCodec::text(block.target));
    query.bindValue(i++, block.killed ? 1 : 0);
    query.bindValue(i++, ColumnCodec::text(block.signal));
    query.bindValue(i++, ColumnCodec::text(block.reason));
    query.bindValue(i++, ColumnCodec::text(block.actor));
    query.bindValue(i++, block.sinceMs);
    query.bindValue(i++, block.untilMs);
    query.bindValue(i++, block.costAtTripMicros);
}

QString SessionBlocksTable::deleteSql()
{
    return QStringLiteral("DELETE FROM session_blocks WHERE scope = ? AND target = ?");
}

void SessionBlocksTable::bindKey(QSqlQuery &query, const SessionBlock &block)
{
    query.bindValue(0, SessionBlock::scopeName(block.scope));
    query.bindValue(1, ColumnCodec::text(block.target));
}

SessionBlock SessionBlocksTable::read(const QSqlQuery &query, int first)
{
    SessionBlock block;
    int i = first;
    // The column's CHECK constraint admits only the names scopeFromName() knows.
    SessionBlock::scopeFromName(query.value(i++).toString(), &block.scope);
    block.target = query.value(i++).toString();
    block.killed = query.value(i++).toLongLong() != 0;
    block.signal = query.value(i++).toString();
    block.reason = query.value(i++).toString();
    block.actor = query.value(i++).toString();
    block.sinceMs = query.value(i++).toLongLong();
    block.untilMs = query.value(i++).toLongLong();
    block.costAtTripMicros = query.value(i++).toLongLong();
    return block;
}

QString SessionBlocksTable::selectAllSql()
{
    return QStringLiteral("SELECT %1 FROM session_blocks ORDER BY since_ms, scope, target").arg(columnList());
}
