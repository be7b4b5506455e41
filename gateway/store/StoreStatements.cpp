#include "StoreStatements.h"

#include "AuditTable.h"
#include "BudgetRulesTable.h"
#include "CountersTable.h"
#include "RequestsTable.h"
#include "ReservationsTable.h"
#include "RateLimitsTable.h"
#include "SessionBlocksTable.h"
#include "SqliteConnection.h"
#include "VirtualKeysTable.h"

#include <QSqlQuery>
#include <QVariant>

StoreStatements::StoreStatements(SqliteConnection &connection) : m_connection(connection)
{
}

StoreStatements::~StoreStatements() = default;

bool StoreStatements::prepare(QString *error)
{
    const struct
    {
        std::unique_ptr<QSqlQuery> *query;
        QString sql;
    } statements[] = {
        {&m_upsertRequest, RequestsTable::upsertSql()},
        {&m_requestStored, QStringLiteral("SELECT 1 FROM requests WHERE id = ?")},
        {&m_addToCounter, CountersTable::addSql()},
        {&m_upsertReservation, ReservationsTable::upsertSql()},
        {&m_deleteReservation, ReservationsTable::deleteSql()},
        {&m_insertAudit, AuditTable::insertSql()},
        {&m_deleteRules, BudgetRulesTable::deleteAllSql()},
        {&m_insertRule, BudgetRulesTable::insertSql()},
        {&m_markRulesSaved, BudgetRulesTable::markSavedSql()},
        {&m_upsertKey, VirtualKeysTable::upsertSql()},
        {&m_upsertBlock, SessionBlocksTable::upsertSql()},
        {&m_deleteBlock, SessionBlocksTable::deleteSql()},
        {&m_upsertRateLimits, RateLimitsTable::upsertSql()},
    };
    for (const auto &statement : statements) {
        auto query = std::make_unique<QSqlQuery>(m_connection.database());
        if (!query->prepare(statement.sql)) {
            *error = m_connection.describe(QStringLiteral("preparing %1").arg(statement.sql), query->lastError());
            return false;
        }
        *statement.query = std::move(query);
    }
    return true;
}

bool StoreStatements::write(const StoreJob &job, qint64 nowMs, QSqlError *error)
{
    if (const auto *reserve = std::get_if<StoreJobs::Reserve>(&job))
        return writeReserve(*reserve, error);
    if (const auto *record = std::get_if<StoreJobs::Record>(&job))
        return writeRecord(*record, nowMs, error);
    if (const auto *audit = std::get_if<StoreJobs::Audit>(&job))
        return writeAudit(audit->entry, error);
    if (const auto *rules = std::get_if<StoreJobs::SaveRules>(&job))
        return writeRules(*rules, nowMs, error);
    if (const auto *key = std::get_if<StoreJobs::SaveKey>(&job))
        return writeKey(*key, error);
    if (const auto *limits = std::get_if<StoreJobs::SaveRateLimits>(&job))
        return writeRateLimits(*limits, error);
    if (const auto *block = std::get_if<StoreJobs::SaveBlock>(&job))
        return writeBlock(*block, error);
    return writeClearBlocks(std::get<StoreJobs::ClearBlocks>(job), error);
}

bool StoreStatements::requestStored(const QString &id, bool *stored, QSqlError *error)
{
    m_requestStored->bindValue(0, id);
    if (!run(*m_requestStored, error))
        return false;
    *stored = m_requestStored->next();
    m_requestStored->finish();
    return true;
}

bool StoreStatements::upsertRequest(const UsageRecord &row, QSqlError *error)
{
    RequestsTable::bind(*m_upsertRequest, row);
    return run(*m_upsertRequest, error);
}

bool StoreStatements::addToCounter(const CounterDelta &delta, qint64 nowMs, QSqlError *error)
{
    CountersTable::bindAdd(*m_addToCounter, delta, nowMs);
    return run(*m_addToCounter, error);
}

bool StoreStatements::deleteReservation(const QString &requestId, QSqlError *error)
{
    m_deleteReservation->bindValue(0, requestId);
    return run(*m_deleteReservation, error);
}

void StoreStatements::finish()
{
    for (QSqlQuery *query : {m_upsertRequest.get(), m_requestStored.get(), m_addToCounter.get(),
                             m_upsertReservation.get(), m_deleteReservation.get(), m_insertAudit.get(),
                             m_deleteRules.get(), m_insertRule.get(), m_markRulesSaved.get(), m_upsertKey.get(),
                             m_upsertBlock.get(), m_deleteBlock.get()}) {
        if (query)
            query->finish();
    }
}

bool StoreStatements::writeReserve(const StoreJobs::Reserve &job, QSqlError *error)
{
    // A reservation for a request whose row is already stored would be settled a second time at
    // the next start. It can only come from a batch written again after an uncertain commit (or a
    // caller reserving late), and the row has settled the request already: nothing to hold.
    bool stored = false;
    if (!requestStored(job.reservation.requestId, &stored, error))
        return false;
    if (stored)
        return true;
    ReservationsTable::bind(*m_upsertReservation, job.reservation);
    return run(*m_upsertReservation, error);
}

bool StoreStatements::writeRecord(const StoreJobs::Record &job, qint64 nowMs, QSqlError *error)
{
    // Spend is added once per request id: when the row is already stored (a batch written again
    // after an uncertain commit, or the same request recorded twice) the row is updated but its
    // spend is not counted again, so counters always equal what the rows say was spent.
    bool stored = false;
    if (!requestStored(job.row.id, &stored, error) || !upsertRequest(job.row, error))
        return false;
    if (!stored) {
        for (const CounterDelta &delta : job.spend) {
            if (!addToCounter(delta, nowMs, error))
                return false;
        }
    }
    return deleteReservation(job.row.id, error);
}

bool StoreStatements::writeAudit(const AuditEntry &entry, QSqlError *error)
{
    AuditTable::bind(*m_insertAudit, entry);
    return run(*m_insertAudit, error);
}

bool StoreStatements::writeRules(const StoreJobs::SaveRules &job, qint64 nowMs, QSqlError *error)
{
    if (!run(*m_deleteRules, error))
        return false;
    for (qsizetype i = 0; i < job.rules.size(); ++i) {
        BudgetRulesTable::bindInsert(*m_insertRule, int(i), job.rules.at(i));
        if (!run(*m_insertRule, error))
            return false;
    }
    BudgetRulesTable::bindMarkSaved(*m_markRulesSaved, nowMs);
    return run(*m_markRulesSaved, error) && writeAudit(job.entry, error);
}

bool StoreStatements::writeKey(const StoreJobs::SaveKey &job, QSqlError *error)
{
    VirtualKeysTable::bind(*m_upsertKey, job.key);
    return run(*m_upsertKey, error) && writeAudit(job.entry, error);
}

bool StoreStatements::writeRateLimits(const StoreJobs::SaveRateLimits &job, QSqlError *error)
{
    RateLimitsTable::bindUpsert(*m_upsertRateLimits, job.rules);
    return run(*m_upsertRateLimits, error) && writeAudit(job.entry, error);
}

bool StoreStatements::writeBlock(const StoreJobs::SaveBlock &job, QSqlError *error)
{
    SessionBlocksTable::bind(*m_upsertBlock, job.block);
    return run(*m_upsertBlock, error) && writeAuditIfAny(job.entry, error);
}

bool StoreStatements::writeClearBlocks(const StoreJobs::ClearBlocks &job, QSqlError *error)
{
    for (const SessionBlock &block : job.blocks) {
        SessionBlocksTable::bindKey(*m_deleteBlock, block);
        if (!run(*m_deleteBlock, error))
            return false;
    }
    return writeAuditIfAny(job.entry, error);
}

bool StoreStatements::writeAuditIfAny(const AuditEntry &entry, QSqlError *error)
{
    return entry.action.isEmpty() || writeAudit(entry, error);
}

bool StoreStatements::run(QSqlQuery &query, QSqlError *error)
{
    if (query.exec())
        return true;
    *error = query.lastError();
    return false;
}
