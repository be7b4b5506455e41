#pragma once

#include "accounting/UsageRecord.h"

#include <QString>

class QSqlQuery;

// The one place that maps a UsageRecord to the columns of table `requests` and back, so the
// writer and every reader agree on names and order.
class RequestsTable
{
public:
    // "id, started_at, ..., key_fingerprint" in the order bind() and read() use.
    static QString columnList();
    // Insert, or on a repeated id replace the row's values: writing a batch again after an
    // uncertain failure is then harmless.
    static QString upsertSql();
    // Binds positionally to a statement prepared from upsertSql().
    static void bind(QSqlQuery &query, const UsageRecord &row);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static UsageRecord read(const QSqlQuery &query, int first = 0);
};
