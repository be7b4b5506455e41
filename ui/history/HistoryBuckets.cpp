#include "HistoryBuckets.h"

#include <QDateTime>
#include <QLocale>

namespace {

constexpr qint64 HourMs = 3600 * 1000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// English names whatever the system locale, as ConsoleFormat does.
const QLocale &english()
{
    static const QLocale locale(QLocale::English, QLocale::UnitedKingdom);
    return locale;
}

} // namespace

namespace HistoryBuckets {

qint64 startOf(qint64 ms, UsageQuery::Bucket bucket)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    if (bucket == UsageQuery::Bucket::Day)
        return local.date().startOfDay().toMSecsSinceEpoch();
    const qint64 offset = qint64(local.offsetFromUtc()) * 1000;
    return floorDiv(ms + offset, HourMs) * HourMs - offset;
}

QList<qint64> between(qint64 fromMs, qint64 toMs, UsageQuery::Bucket bucket)
{
    QList<qint64> starts;
    if (fromMs >= toMs)
        return starts;
    qint64 start = startOf(fromMs, bucket);
    while (start < toMs) {
        starts.append(start);
        // A day is 23 to 25 hours long: step to the next local date's midnight, not by 24 h.
        const qint64 next = bucket == UsageQuery::Bucket::Day
            ? QDateTime::fromMSecsSinceEpoch(start).date().addDays(1).startOfDay().toMSecsSinceEpoch()
            : startOf(start + HourMs, bucket);
        if (next <= start)
            break;
        start = next;
    }
    return starts;
}

QString label(qint64 startMs, UsageQuery::Bucket bucket)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(startMs);
    if (bucket == UsageQuery::Bucket::Day)
        return english().toString(local.date(), QStringLiteral("ddd d MMM yyyy"));
    return english().toString(local, QStringLiteral("ddd d MMM HH:mm"));
}

QString tickLabel(qint64 startMs, UsageQuery::Bucket bucket)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(startMs);
    if (bucket == UsageQuery::Bucket::Day || local.time() == QTime(0, 0))
        return english().toString(local.date(), QStringLiteral("d MMM"));
    return local.toString(QStringLiteral("HH:mm"));
}

} // namespace HistoryBuckets
