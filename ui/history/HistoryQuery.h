#pragma once

#include "store/UsageQuery.h"
#include "store/UsageSeriesRow.h"

#include <QList>
#include <QMetaType>
#include <QString>

// What the History page asks its reader: a usage series over [fromMs, toMs). serial tells the
// page's answers apart, so a late answer to a query the user has moved on from is dropped.
struct HistoryQuery
{
    quint64 serial = 0;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    UsageQuery::Bucket bucket = UsageQuery::Bucket::Day;
    UsageQuery::Split split = UsageQuery::Split::None;
    int topKeys = 8;
};
Q_DECLARE_METATYPE(HistoryQuery)

// The reader's answer: the rows, or why there are none (error empty when the range just has no
// requests).
struct HistoryResult
{
    HistoryQuery query;
    QList<UsageSeriesRow> rows;
    QString error;
};
Q_DECLARE_METATYPE(HistoryResult)
