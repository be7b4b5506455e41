#pragma once

#include "session/SessionBlock.h"

#include <QString>

class QSqlQuery;

// The one place that maps a SessionBlock to table `session_blocks` (one row per scope and target)
// and back.
class SessionBlocksTable
{
public:
    // "scope, target, killed, signal, reason, actor, since_ms, until_ms, cost_at_trip_micros" in
    // the order bind() and read() use.
    static QString columnList();
    // Insert, or replace the block with the same scope and target.
    static QString upsertSql();
    static void bind(QSqlQuery &query, const SessionBlock &block);
    // Deletes the block with a scope and target; a key that is not stored deletes nothing.
    static QString deleteSql();
    static void bindKey(QSqlQuery &query, const SessionBlock &block);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static SessionBlock read(const QSqlQuery &query, int first = 0);
    // Every block, oldest first.
    static QString selectAllSql();
};
