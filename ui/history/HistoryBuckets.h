#pragma once

#include "store/UsageQuery.h"

#include <QList>
#include <QString>

// The History page's buckets on the local calendar, the same way UsageQuery::series() makes them
// (a day from local midnight, an hour of the local clock), so empty buckets can be drawn too.
namespace HistoryBuckets {

// The first instant of the bucket `ms` falls in.
qint64 startOf(qint64 ms, UsageQuery::Bucket bucket);
// Every bucket start from the one holding fromMs to the last one before toMs, oldest first.
QList<qint64> between(qint64 fromMs, qint64 toMs, UsageQuery::Bucket bucket);
// "Mon 1 Dec" for a day, "1 Dec 09:00" for an hour (local time).
QString label(qint64 startMs, UsageQuery::Bucket bucket);
// A short label for an axis tick: "1 Dec" for a day, "09:00" for an hour ("1 Dec" at midnight).
QString tickLabel(qint64 startMs, UsageQuery::Bucket bucket);

} // namespace HistoryBuckets
