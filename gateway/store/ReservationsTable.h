#pragma once

#include "StoreRecords.h"

#include <QString>

class QSqlQuery;

// The one place that maps a ReservationRecord to table `reservations` and back, holds included
// (a JSON array of {rule, subject, window_start, tokens, cost_micros, requests}).
class ReservationsTable
{
public:
    // "request_id, created_at, ..., holds" in the order bind() and read() use.
    static QString columnList();
    // Insert, or on a repeated request id replace the reservation: a batch written again after an
    // uncertain failure then leaves one reservation, not a refused job.
    static QString upsertSql();
    static void bind(QSqlQuery &query, const ReservationRecord &reservation);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static ReservationRecord read(const QSqlQuery &query, int first = 0);
    static QString deleteSql();           // one reservation by request id
    static QString selectAllSql();        // oldest first

    static QString holdsText(const QList<CounterDelta> &holds);
    // Holds that are not JSON, or entries that are not objects, are skipped.
    static QList<CounterDelta> holdsFromText(const QString &text);
};
