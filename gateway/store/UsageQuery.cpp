#include "UsageQuery.h"

#include "AuditTable.h"
#include "RequestsTable.h"
#include "StoreSchema.h"
#include "VirtualKeysTable.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <limits>

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

// A session's latest request is the one the seek to the end of its range in requests_by_session
// lands on: the index's entries end in (started_at, rowid), so this costs one seek, no sort.
QString isLatestOfItsSession(const QString &session, const QString &rowid)
{
    return QStringLiteral("%2 = (SELECT rowid FROM requests WHERE session = %1 ORDER BY started_at DESC, rowid DESC LIMIT 1)")
        .arg(session, rowid);
}

// Per-session figures of the sessions `latest` selects as (session, tenant, model, last_seen,
// stored), from each one's latest request: the sums are one range of requests_by_session per
// session, in the index's order (no sort), from the `since` bound on. Newest first.
QString totalsOfLatestSql(const QString &latest)
{
    return QStringLiteral(
        "WITH latest AS (%1), "
        "sums AS (SELECT session, COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt, "
        "COALESCE(SUM(completion_tokens), 0) AS completion, COALESCE(SUM(cost_micros), 0) AS cost, "
        "MIN(started_at) AS first_seen FROM requests WHERE session IN (SELECT session FROM latest) AND started_at >= ? "
        "GROUP BY session) "
        "SELECT latest.session, latest.tenant, latest.model, sums.requests, sums.prompt, sums.completion, sums.cost, "
        "sums.first_seen, latest.last_seen FROM latest JOIN sums USING (session) "
        "ORDER BY latest.last_seen DESC, latest.stored DESC")
        .arg(latest);
}

// sessionTotals(), most sessions: walking requests_by_time back from the newest request meets the
// sessions in the order they were last seen, so the first `limit` latest requests met are the
// answer; the walk streams in the index's order and stops there. Binds: the oldest started_at to
// walk to, limit.
QString recentSessionsSql()
{
    return QStringLiteral(
        "SELECT r.session, r.tenant, r.model, r.started_at AS last_seen, r.rowid AS stored FROM requests AS r "
        "WHERE r.started_at >= ? AND r.session <> '' AND %1 ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?")
        .arg(isLatestOfItsSession(QStringLiteral("r.session"), QStringLiteral("r.rowid")));
}

// sessionTotals(), a few busy sessions: one pass over the range in requests_by_time (in the
// order rows were written, so the table reads are sequential) grouped by session. `+session`
// keeps SQLite from grouping along requests_by_session instead, which reads every request ever
// made. Same order as recentSessionsSql(). Binds: since, limit.
QString busySessionsSql()
{
    return QStringLiteral(
        "WITH sums AS (SELECT session, COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS prompt, "
        "COALESCE(SUM(completion_tokens), 0) AS completion, COALESCE(SUM(cost_micros), 0) AS cost, "
        "MIN(started_at) AS first_seen, MAX(started_at) AS last_seen FROM requests "
        "WHERE started_at >= ? AND session <> '' GROUP BY +session) "
        "SELECT sums.session, latest.tenant, latest.model, sums.requests, sums.prompt, sums.completion, sums.cost, "
        "sums.first_seen, sums.last_seen FROM sums JOIN requests AS latest ON %1 "
        "ORDER BY sums.last_seen DESC, latest.rowid DESC LIMIT ?")
        .arg(isLatestOfItsSession(QStringLiteral("sums.session"), QStringLiteral("latest.rowid")));
}

SessionTotalsRecord readSessionTotals(const QSqlQuery &query)
{
    SessionTotalsRecord record;
    int i = 0;
    record.session = query.value(i++).toString();
    record.tenant = query.value(i++).toString();
    record.model = query.value(i++).toString();
    record.requests = query.value(i++).toLongLong();
    record.promptTokens = query.value(i++).toLongLong();
    record.completionTokens = query.value(i++).toLongLong();
    record.costMicros = query.value(i++).toLongLong();
    record.firstSeenMs = query.value(i++).toLongLong();
    record.lastSeenMs = query.value(i++).toLongLong();
    return record;
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

// The bucket a row falls in, as its first instant in ms since the epoch. Each row's own UTC
// offset (local clock minus UTC clock at that instant, from the C library like QDateTime's) puts
// it on the local calendar, so a range across a daylight-saving change needs no single offset:
// - hours are the hours of the local clock at each instant: on the night clocks go back the
//   repeated hour is two buckets (each 60 minutes, both labelled e.g. 02:00), on the night they go
//   forward the skipped hour has no bucket. Zones with half-hour offsets get half-past buckets as
//   their clocks read whole hours.
// - days start at local midnight ('start of day' on the local clock, back to UTC with the offset
//   in force at that midnight), so a DST day is a 23 or 25 hour bucket.
QString bucketStartSql(UsageQuery::Bucket bucket)
{
    if (bucket == UsageQuery::Bucket::Day)
        return QStringLiteral("CAST(strftime('%s', started_at / 1000, 'unixepoch', 'localtime', 'start of day', 'utc') "
                              "AS INTEGER) * 1000");
    const QString offsetMs = QStringLiteral(
        "(CAST(strftime('%s', started_at / 1000, 'unixepoch', 'localtime') AS INTEGER) - started_at / 1000) * 1000");
    return QStringLiteral("((started_at + %1) / 3600000 * 3600000 - %1)").arg(offsetMs);
}

QString splitKeySql(UsageQuery::Split split)
{
    switch (split) {
    case UsageQuery::Split::None:
        return QStringLiteral("''");
    case UsageQuery::Split::Model:
        return QStringLiteral("model");
    case UsageQuery::Split::Tenant:
        return QStringLiteral("tenant");
    case UsageQuery::Split::Session:
        return QStringLiteral("session");
    }
    return QStringLiteral("''");
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

QString UsageQuery::seriesSql(Bucket bucket, Split split)
{
    // One pass over the range in requests_by_time into (bucket, key) cells, kept (MATERIALIZED)
    // because both the ranking and the answer read them: the keys are ranked by their cost over
    // the range from the cells, not from the table again. `+` on the key keeps SQLite from
    // grouping along requests_by_model / _tenant / _session, which would read every request ever
    // made. A key outside the top N becomes NULL and its cells fold into one per bucket.
    return QStringLiteral(
        "WITH cells AS MATERIALIZED (SELECT %1 AS bucket, +%2 AS k, COUNT(*) AS requests, "
        "COALESCE(SUM(prompt_tokens), 0) AS prompt, COALESCE(SUM(completion_tokens), 0) AS completion, "
        "COALESCE(SUM(cost_micros), 0) AS cost FROM requests WHERE started_at >= ? AND started_at < ? "
        "GROUP BY bucket, k), "
        "ranks AS (SELECT k, SUM(cost) AS key_cost, ROW_NUMBER() OVER (ORDER BY SUM(cost) DESC, k) AS place "
        "FROM cells GROUP BY k), "
        "folded AS (SELECT cells.bucket, CASE WHEN ranks.place <= ? THEN cells.k END AS key, "
        "CASE WHEN ranks.place <= ? THEN ranks.key_cost END AS key_cost, cells.requests, cells.prompt, "
        "cells.completion, cells.cost FROM cells JOIN ranks USING (k)) "
        "SELECT bucket, key, key IS NULL, SUM(requests), SUM(prompt), SUM(completion), SUM(cost) FROM folded "
        "GROUP BY bucket, key ORDER BY bucket, key IS NULL, MAX(key_cost) DESC, key")
                            .arg(bucketStartSql(bucket), splitKeySql(split));
}

QList<UsageSeriesRow> UsageQuery::series(qint64 fromMs, qint64 toMs, Bucket bucket, Split split, int topKeys)
{
    m_lastError.clear();
    QList<UsageSeriesRow> rows;
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(seriesSql(bucket, split));
    const int top = split == Split::None ? 1 : std::max(topKeys, 0);
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    query.addBindValue(top);
    query.addBindValue(top);
    if (!query.exec()) {
        fail(QStringLiteral("reading the usage series"), query);
        return rows;
    }
    while (query.next()) {
        UsageSeriesRow row;
        row.bucketStartMs = query.value(0).toLongLong();
        row.other = query.value(2).toBool();
        row.key = row.other ? QString() : query.value(1).toString();
        row.requests = query.value(3).toLongLong();
        row.promptTokens = query.value(4).toLongLong();
        row.completionTokens = query.value(5).toLongLong();
        row.costMicros = query.value(6).toLongLong();
        rows.append(row);
    }
    return rows;
}

QList<SessionTotalsRecord> UsageQuery::sessionTotals(qint64 sinceMs, int limit)
{
    m_lastError.clear();
    QList<SessionTotalsRecord> records;
    if (limit <= 0)
        return records;
    // Usually `limit` sessions show up among the newest few thousand requests: then only those
    // are walked. When they don't (a few sessions making most requests), walking the whole range
    // costs a seek per request, and grouping it is cheaper. The walk goes back as far as the
    // scan-th newest request in the range (counted along requests_by_time alone: no table reads).
    const qint64 scan = 20 * qint64(limit) + 1000;
    QSqlQuery edge(m_connection.database());
    edge.setForwardOnly(true);
    edge.prepare(QStringLiteral("SELECT started_at FROM requests WHERE started_at >= ? "
                                "ORDER BY started_at DESC, rowid DESC LIMIT 1 OFFSET ?"));
    edge.addBindValue(sinceMs);
    edge.addBindValue(scan - 1);
    if (!edge.exec()) {
        fail(QStringLiteral("adding up sessions"), edge);
        return records;
    }
    const bool wholeRange = !edge.next();
    const qint64 walkTo = wholeRange ? sinceMs : edge.value(0).toLongLong();
    edge.finish();
    // How many sessions the walk finds first: adding up theirs is wasted when grouping must follow.
    QSqlQuery walk(m_connection.database());
    walk.setForwardOnly(true);
    walk.prepare(QStringLiteral("SELECT COUNT(*) FROM (%1)").arg(recentSessionsSql()));
    walk.addBindValue(walkTo);
    walk.addBindValue(limit);
    if (!walk.exec() || !walk.next()) {
        fail(QStringLiteral("adding up sessions"), walk);
        return records;
    }
    const bool walkFindsAll = wholeRange || walk.value(0).toLongLong() == limit;
    walk.finish();
    if (walkFindsAll)
        runSessionTotals(totalsOfLatestSql(recentSessionsSql()), {walkTo, limit, sinceMs}, &records);
    else
        runSessionTotals(busySessionsSql(), {sinceMs, limit}, &records);
    return records;
}

std::optional<SessionTotalsRecord> UsageQuery::sessionTotal(const QString &session)
{
    m_lastError.clear();
    QList<SessionTotalsRecord> records;
    const QString latest = QStringLiteral("SELECT session, tenant, model, started_at AS last_seen, rowid AS stored "
                                          "FROM requests WHERE session = ? ORDER BY started_at DESC, rowid DESC LIMIT 1");
    if (!runSessionTotals(totalsOfLatestSql(latest), {session, std::numeric_limits<qint64>::min()}, &records) || records.isEmpty())
        return std::nullopt;
    return records.constFirst();
}

bool UsageQuery::runSessionTotals(const QString &sql, const QVariantList &binds, QList<SessionTotalsRecord> *records)
{
    QSqlQuery query(m_connection.database());
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec()) {
        fail(QStringLiteral("adding up sessions"), query);
        return false;
    }
    while (query.next())
        records->append(readSessionTotals(query));
    return true;
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
