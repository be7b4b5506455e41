#include "UsageQuery.h"

#include "AuditTable.h"
#include "RequestsTable.h"
#include "StoreSchema.h"
#include "VirtualKeysTable.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

const char kTotalsColumns[] =
    "COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0), COALESCE(SUM(cost_micros), 0)";

UsageTotals readTotals(const QSqlQuery &query, int first)
{
    UsageTotals totals;
    totals.requests = query.value(first).toLongLong();
    totals.prompt = query.value(first + 1).toLongLong();
    totals.completion = query.value(first + 2).toLongLong();
    totals.cost = query.value(first + 3).toLongLong();
    return totals;
}

QString groupKey(UsageQuery::GroupBy by)
{
    // SQLite's 'localtime' uses the C library's idea of local time, the same one QDateTime uses,
    // so these buckets line up with budget windows on the local calendar.
    switch (by) {
    case UsageQuery::GroupBy::Day:
        return QStringLiteral("strftime('%Y-%m-%d', started_at / 1000, 'unixepoch', 'localtime')");
    case UsageQuery::GroupBy::Hour:
        return QStringLiteral("strftime('%Y-%m-%d %H:00', started_at / 1000, 'unixepoch', 'localtime')");
    case UsageQuery::GroupBy::Model:
        return QStringLiteral("model");
    case UsageQuery::GroupBy::Tenant:
        return QStringLiteral("tenant");
    case UsageQuery::GroupBy::Session:
        return QStringLiteral("session");
    }
    return QStringLiteral("model");
}

} // namespace

UsageQuery::UsageQuery() : m_connection(QStringLiteral("usage-reader"))
{
}

UsageQuery::~UsageQuery() = default;

bool UsageQuery::open(const QString &databasePath, QString *error)
{
    if (!m_connection.open(databasePath, SqliteConnection::Mode::ReadOnly, StoreOptions(), error))
        return false;
    const int version = StoreSchema::version(m_connection, error);
    const int known = StoreSchema::latestVersion();
    if (version >= 0 && version > known)
        *error = StoreSchema::newerVersionMessage(databasePath, version, known);
    else if (version == 0)
        *error = QStringLiteral("%1 is not a TokenFuse usage database yet (schema version 0)").arg(databasePath);
    if (version <= 0 || version > known) {
        m_connection.close();
        return false;
    }
    return true;
}

QList<UsageRecord> UsageQuery::recent(int limit)
{
    m_lastError.clear();
    QList<UsageRecord> rows;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM requests ORDER BY started_at DESC, rowid DESC LIMIT ?")
                      .arg(RequestsTable::columnList()));
    query.addBindValue(limit);
    if (!query.exec()) {
        fail(QStringLiteral("reading recent requests"), query);
        return rows;
    }
    while (query.next())
        rows.append(RequestsTable::read(query));
    return rows;
}

UsageTotals UsageQuery::totals(qint64 fromMs, qint64 toMs)
{
    m_lastError.clear();
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM requests WHERE started_at >= ? AND started_at < ?")
                      .arg(QLatin1String(kTotalsColumns)));
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    if (!query.exec() || !query.next()) {
        fail(QStringLiteral("adding up usage"), query);
        return {};
    }
    return readTotals(query, 0);
}

QList<QPair<QString, UsageTotals>> UsageQuery::grouped(qint64 fromMs, qint64 toMs, GroupBy by)
{
    m_lastError.clear();
    QList<QPair<QString, UsageTotals>> groups;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 AS bucket, %2 FROM requests WHERE started_at >= ? AND started_at < ? "
                                 "GROUP BY bucket ORDER BY bucket")
                      .arg(groupKey(by), QLatin1String(kTotalsColumns)));
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    if (!query.exec()) {
        fail(QStringLiteral("grouping usage"), query);
        return groups;
    }
    while (query.next())
        groups.append({query.value(0).toString(), readTotals(query, 1)});
    return groups;
}

QList<AuditEntry> UsageQuery::recentAudit(int limit)
{
    m_lastError.clear();
    QList<AuditEntry> entries;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(AuditTable::selectRecentSql());
    query.addBindValue(limit);
    if (!query.exec()) {
        fail(QStringLiteral("reading the audit log"), query);
        return entries;
    }
    while (query.next())
        entries.append(AuditTable::read(query));
    return entries;
}

QList<VirtualKeyRecord> UsageQuery::virtualKeys()
{
    m_lastError.clear();
    QList<VirtualKeyRecord> keys;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    if (!query.exec(VirtualKeysTable::selectAllSql())) {
        fail(QStringLiteral("reading virtual keys"), query);
        return keys;
    }
    while (query.next())
        keys.append(VirtualKeysTable::read(query));
    return keys;
}

std::optional<UsageQuery::GroupBy> UsageQuery::groupByFromString(QStringView text)
{
    if (text == QLatin1String("day"))
        return GroupBy::Day;
    if (text == QLatin1String("hour"))
        return GroupBy::Hour;
    if (text == QLatin1String("model"))
        return GroupBy::Model;
    if (text == QLatin1String("tenant"))
        return GroupBy::Tenant;
    if (text == QLatin1String("session"))
        return GroupBy::Session;
    return std::nullopt;
}

void UsageQuery::fail(const QString &what, const QSqlQuery &query)
{
    m_lastError = m_connection.isOpen() ? m_connection.describe(what, query.lastError())
                                        : QStringLiteral("%1: the usage database is not open").arg(what);
}
