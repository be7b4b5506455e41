#pragma once

#include "budget/CounterKey.h"

#include <QString>

class QSqlQuery;

// The one place that maps spend counters to table `budget_counters` and back.
class CountersTable
{
public:
    // "rule, subject, window_start, tokens, cost_micros, requests" in the order read() uses.
    static QString columnList();
    // Adds a delta to its counter, creating the counter at zero first if needed.
    static QString addSql();
    // Binds positionally to a statement prepared from addSql(). Negative amounts are bound as 0.
    static void bindAdd(QSqlQuery &query, const CounterDelta &delta, qint64 updatedAt);
    // Reads the current row of a query that selected columnList() starting at `first`.
    static CounterTotals read(const QSqlQuery &query, int first = 0);
    // Every counter, in key order.
    static QString selectAllSql();
};
