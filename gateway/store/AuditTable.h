#pragma once

#include "StoreRecords.h"

#include <QString>

class QSqlQuery;

// The one place that maps an AuditEntry to table `audit` and back; before and after are JSON text.
class AuditTable
{
public:
    // "id, at, actor, action, target, before, after" in the order read() uses.
    static QString columnList();
    // A new entry; the id is SQLite's, so AuditEntry::id is not bound.
    static QString insertSql();
    static void bind(QSqlQuery &query, const AuditEntry &entry);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static AuditEntry read(const QSqlQuery &query, int first = 0);
    // Newest first; bind the limit.
    static QString selectRecentSql();
};
