#pragma once

#include "StoreJob.h"

#include <QSqlError>
#include <QString>

#include <memory>

class QSqlQuery;
class SqliteConnection;

// The writer's prepared statements, and how each kind of job is written with them inside a
// transaction the caller has begun. Knows nothing of queues or retries: a failed statement is
// reported with SQLite's error and the caller decides (roll back, drop the job, retry).
class StoreStatements
{
public:
    explicit StoreStatements(SqliteConnection &connection);
    ~StoreStatements();
    StoreStatements(const StoreStatements &) = delete;
    StoreStatements &operator=(const StoreStatements &) = delete;

    // Prepares every statement; the schema must be up to date.
    bool prepare(QString *error);

    // Writes one job; on failure *error is the statement's error and the transaction must be rolled back.
    bool write(const StoreJob &job, qint64 nowMs, QSqlError *error);

    // The steps that jobs are made of, also used by start-up recovery.
    bool requestStored(const QString &id, bool *stored, QSqlError *error);
    bool upsertRequest(const UsageRecord &row, QSqlError *error);
    bool addToCounter(const CounterDelta &delta, qint64 nowMs, QSqlError *error);
    bool deleteReservation(const QString &requestId, QSqlError *error);

    // Resets every statement, so none holds a read open across COMMIT or ROLLBACK.
    void finish();

private:
    bool writeReserve(const StoreJobs::Reserve &job, QSqlError *error);
    bool writeRecord(const StoreJobs::Record &job, qint64 nowMs, QSqlError *error);
    bool writeAudit(const AuditEntry &entry, QSqlError *error);
    bool writeRules(const StoreJobs::SaveRules &job, qint64 nowMs, QSqlError *error);
    bool writeKey(const StoreJobs::SaveKey &job, QSqlError *error);
    bool writeRateLimits(const StoreJobs::SaveRateLimits &job, QSqlError *error);
    bool writeBlock(const StoreJobs::SaveBlock &job, QSqlError *error);
    bool writeClearBlocks(const StoreJobs::ClearBlocks &job, QSqlError *error);
    // The audit entry that goes with a settings job; one with no action is no entry.
    bool writeAuditIfAny(const AuditEntry &entry, QSqlError *error);
    static bool run(QSqlQuery &query, QSqlError *error);

    SqliteConnection &m_connection;
    std::unique_ptr<QSqlQuery> m_upsertRequest;
    std::unique_ptr<QSqlQuery> m_requestStored;
    std::unique_ptr<QSqlQuery> m_addToCounter;
    std::unique_ptr<QSqlQuery> m_upsertReservation;
    std::unique_ptr<QSqlQuery> m_deleteReservation;
    std::unique_ptr<QSqlQuery> m_insertAudit;
    std::unique_ptr<QSqlQuery> m_deleteRules;
    std::unique_ptr<QSqlQuery> m_insertRule;
    std::unique_ptr<QSqlQuery> m_markRulesSaved;
    std::unique_ptr<QSqlQuery> m_upsertKey;
    std::unique_ptr<QSqlQuery> m_upsertBlock;
    std::unique_ptr<QSqlQuery> m_deleteBlock;
    std::unique_ptr<QSqlQuery> m_upsertRateLimits;
};
