#pragma once

#include <QMetaType>
#include <QString>
#include <QtGlobal>

// One cell of a usage time series: the requests of one key (a model, tenant or session, or none)
// that started in one bucket (a local hour or day). What UsageQuery::series() returns and the
// console's History page draws.
struct UsageSeriesRow
{
    qint64 bucketStartMs = 0;  // the bucket's first instant, ms since the Unix epoch
    QString key;               // empty when the series is not split (or the key was empty)
    bool other = false;        // the keys beyond the top N, summed; key is empty then
    qint64 requests = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 costMicros = 0;     // micro-units of the currency

    bool operator==(const UsageSeriesRow &o) const = default;
};
Q_DECLARE_METATYPE(UsageSeriesRow)
