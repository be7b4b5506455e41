#pragma once

#include <QJsonArray>
#include <QString>

class QSqlQuery;

// The one place that maps the rate limit rules to the store: the whole "rate_limits" array as one
// JSON text in table `settings` under key `rate_limits`. The row's presence means they were saved
// through the admin API; then they win over the config file's unless the file has the key.
class RateLimitsTable
{
public:
    static QString settingKey();

    static QString upsertSql();
    static void bindUpsert(QSqlQuery &query, const QJsonArray &rules);
    // Selects the array's text, one row when rules were saved.
    static QString selectSql();
    static QJsonArray fromColumn(const QSqlQuery &query, int column = 0);
};
