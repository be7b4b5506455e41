#pragma once

#include "SqliteConnection.h"
#include "StoreRecords.h"
#include "UsageSeriesRow.h"
#include "UsageTotals.h"
#include "accounting/UsageRecord.h"
#include "session/SessionBlock.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringView>
#include <QVariantList>

#include <optional>

class QSqlQuery;

// Reads tokenfuse.db for the console and the admin API (usage history, per-session totals, the
// audit log, virtual keys), through a read-only connection of its own; WAL lets it read while the writer commits.
// Create, open and use it on one thread. Time ranges are half-open, [fromMs, toMs), on started_at
// in ms since the Unix epoch. Every read is a short indexed query, quick enough to call
// synchronously from the gateway thread.
class UsageQuery
{
public:
    enum class GroupBy { Day, Hour, Model, Tenant, Session };
    enum class Bucket { Hour, Day };
    enum class Split { None, Model, Tenant, Session };

    UsageQuery();
    ~UsageQuery();
    UsageQuery(const UsageQuery &) = delete;
    UsageQuery &operator=(const UsageQuery &) = delete;

    // The file must exist and carry a schema this TokenFuse knows (UsageStore::open() makes it).
    bool open(const QString &databasePath, QString *error);
    bool isOpen() const { return m_connection.isOpen(); }
    // Why the last call returned nothing, or empty.
    QString lastError() const { return m_lastError; }

    // Newest first.
    QList<UsageRecord> recent(int limit);
    UsageTotals totals(qint64 fromMs, qint64 toMs);
    // One entry per group that has rows, ordered by key. Day keys read "2025-03-14", hour keys
    // "2025-03-14 09:00", both on the local calendar of this machine.
    QList<QPair<QString, UsageTotals>> grouped(qint64 fromMs, qint64 toMs, GroupBy by);

    // A time series split by a key, in one query along requests_by_time: one row per (bucket, key)
    // that has requests, ordered by bucket, then by the key's cost over the whole range (highest
    // first), "other" last. Buckets are local hours or days of this machine (see the .cpp on
    // daylight saving). With a split, the topKeys keys of highest cost over the range (ties by
    // key) keep their own rows; the rest add up to one row per bucket with other set.
    QList<UsageSeriesRow> series(qint64 fromMs, qint64 toMs, Bucket bucket, Split split, int topKeys);
    // The statement series() runs; binds: from, to, top, top. Public for EXPLAIN QUERY PLAN in tests.
    static QString seriesSql(Bucket bucket, Split split);

    // One record per session with requests started at or after sinceMs, figures of those requests
    // only; tenant and model are those of the session's latest request. Most recently seen first
    // (ties by session), at most `limit`. Rows with an empty session are no session's and left out.
    QList<SessionTotalsRecord> sessionTotals(qint64 sinceMs, int limit);
    // A session's figures over all its requests; nullopt when it has none (or on error: see
    // lastError()).
    std::optional<SessionTotalsRecord> sessionTotal(const QString &session);

    // Newest first.
    QList<AuditEntry> recentAudit(int limit);
    // Every key, revoked ones included, oldest first.
    QList<VirtualKeyRecord> virtualKeys();

    // The admin API spelling: day, hour, model, tenant, session.
    static std::optional<GroupBy> groupByFromString(QStringView text);

private:
    void fail(const QString &what, const QSqlQuery &query);
    // Runs a per-session totals query; false with lastError() set if it fails.
    bool runSessionTotals(const QString &sql, const QVariantList &binds, QList<SessionTotalsRecord> *records);

    SqliteConnection m_connection;
    QString m_lastError;
};
