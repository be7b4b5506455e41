#pragma once

#include "BudgetRule.h"

#include <QDateTime>

// What time it is for budgets, and where each window begins and ends on the local calendar.
// An interface so tests (and the ledger's benchmarks) can move time by hand.
class BudgetClock
{
public:
    virtual ~BudgetClock() = default;
    virtual QDateTime now() const = 0;
    // The same instant in ms since the epoch; the ledger asks this on every call, so clocks that
    // can answer it without building a QDateTime should.
    virtual qint64 nowMs() const { return now().toMSecsSinceEpoch(); }

    // The window containing `now`, in ms since the epoch. Minute and hour windows follow the
    // local clock (a 30-minute zone's hours start at :30 UTC); a day starts at local midnight (or
    // the first moment of the day where a DST change skips midnight) and lasts 23, 24 or 25 hours;
    // a month starts at 00:00 on its first day. "total" and "request" start at 0 and never end:
    // windowEnd() gives 0 for them.
    static qint64 windowStart(BudgetWindow window, const QDateTime &now);
    static qint64 windowEnd(BudgetWindow window, const QDateTime &now);
    static qint64 windowStart(BudgetWindow window, qint64 nowMs);
    static qint64 windowEnd(BudgetWindow window, qint64 nowMs);
};
