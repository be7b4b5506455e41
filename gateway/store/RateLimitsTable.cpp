#include "RateLimitsTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

QString RateLimitsTable::settingKey()
{
    return QStringLiteral("rate_limits");
}

QString RateLimitsTable::upsertSql()
{
    return QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
}

void RateLimitsTable::bindUpsert(QSqlQuery &query, const QJsonArray &rules)
{
    query.bindValue(0, settingKey());
    query.bindValue(1, ColumnCodec::jsonText(rules));
}

QString RateLimitsTable::selectSql()
{
    return QStringLiteral("SELECT value FROM settings WHERE key = '%1'").arg(settingKey());
}

QJsonArray RateLimitsTable::fromColumn(const QSqlQuery &query, int column)
{
    return ColumnCodec::jsonValue(query.value(column).toString()).toArray();
}
