#pragma once

#include "StoreRecords.h"

#include <QString>

class QSqlQuery;

// The one place that maps a VirtualKeyRecord to table `virtual_keys` and back.
class VirtualKeysTable
{
public:
    // "id, hash, prefix, tenant, name, created_at, revoked_at" in the order bind() and read() use.
    static QString columnList();
    // Insert, or update the key with the same id (revocation sets revoked_at). A different id
    // with a hash already stored is refused by the UNIQUE constraint.
    static QString upsertSql();
    static void bind(QSqlQuery &query, const VirtualKeyRecord &key);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static VirtualKeyRecord read(const QSqlQuery &query, int first = 0);
    // Every key, revoked ones included, oldest first.
    static QString selectAllSql();
};
