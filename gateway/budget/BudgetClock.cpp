#include "BudgetClock.h"

namespace {

constexpr qint64 MinuteMs = 60'000;
constexpr qint64 HourMs = 3'600'000;

// Start of the local-clock period of `lengthMs` containing `ms`. Works on the UTC offset rather
// than on a rebuilt local QDateTime: in the hour repeated when DST ends, 02:15 (second time)
// belongs to the second 02:00 window, which a local-time constructor could not express.
qint64 localAligned(const QDateTime &now, qint64 lengthMs)
{
    const qint64 ms = now.toMSecsSinceEpoch();
    const qint64 localMs = ms + qint64(now.offsetFromUtc()) * 1000;
    qint64 within = localMs % lengthMs;
    if (within < 0)
        within += lengthMs;
    return ms - within;
}

QDateTime local(const QDateTime &now)
{
    return now.timeSpec() == Qt::LocalTime ? now : now.toLocalTime();
}

} // namespace

qint64 BudgetClock::windowStart(BudgetWindow window, const QDateTime &now)
{
    const QDateTime at = local(now);
    switch (window) {
    case BudgetWindow::Request:
    case BudgetWindow::Total:
        return 0;
    case BudgetWindow::Minute:
        return localAligned(at, MinuteMs);
    case BudgetWindow::Hour:
        return localAligned(at, HourMs);
    case BudgetWindow::Day:
        return at.date().startOfDay(Qt::LocalTime).toMSecsSinceEpoch();
    case BudgetWindow::Month: {
        const QDate date = at.date();
        return QDate(date.year(), date.month(), 1).startOfDay(Qt::LocalTime).toMSecsSinceEpoch();
    }
    }
    return 0;
}

qint64 BudgetClock::windowEnd(BudgetWindow window, const QDateTime &now)
{
    const QDateTime at = local(now);
    switch (window) {
    case BudgetWindow::Request:
    case BudgetWindow::Total:
        return 0;
    case BudgetWindow::Minute:
        return localAligned(at, MinuteMs) + MinuteMs;
    case BudgetWindow::Hour:
        return localAligned(at, HourMs) + HourMs;
    case BudgetWindow::Day:
        return at.date().addDays(1).startOfDay(Qt::LocalTime).toMSecsSinceEpoch();
    case BudgetWindow::Month: {
        const QDate date = at.date();
        return QDate(date.year(), date.month(), 1).addMonths(1).startOfDay(Qt::LocalTime).toMSecsSinceEpoch();
    }
    }
    return 0;
}

qint64 BudgetClock::windowStart(BudgetWindow window, qint64 nowMs)
{
    if (window == BudgetWindow::Request || window == BudgetWindow::Total)
        return 0;
    return windowStart(window, QDateTime::fromMSecsSinceEpoch(nowMs));
}

qint64 BudgetClock::windowEnd(BudgetWindow window, qint64 nowMs)
{
    if (window == BudgetWindow::Request || window == BudgetWindow::Total)
        return 0;
    return windowEnd(window, QDateTime::fromMSecsSinceEpoch(nowMs));
}
