#include "StartupRecovery.h"

#include "BudgetRulesTable.h"
#include "RateLimitsTable.h"
#include "CountersTable.h"
#include "ReservationsTable.h"
#include "SessionBlocksTable.h"
#include "SqliteConnection.h"
#include "StoreStatements.h"
#include "VirtualKeysTable.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

// Reads every row of `sql` with `read`; false with *error set if the query fails.
template<typename Read>
bool readAll(SqliteConnection &connection, const QString &sql, Read read, QString *error)
{
    QSqlQuery query(connection.database());
    query.setForwardOnly(true);
    if (!query.exec(sql)) {
        *error = connection.describe(QStringLiteral("reading at start-up"), query.lastError());
        return false;
    }
    while (query.next())
        read(query);
    return true;
}

bool settle(SqliteConnection &connection, StoreStatements &statements, qint64 nowMs, StoreStartupState *state,
            QString *error)
{
    QList<ReservationRecord> open;
    if (!readAll(connection, ReservationsTable::selectAllSql(),
                 [&](const QSqlQuery &query) { open.append(ReservationsTable::read(query)); }, error))
        return false;

    for (const ReservationRecord &reservation : std::as_const(open)) {
        QSqlError sqlError;
        const auto failed = [&] {
            *error = connection.describe(QStringLiteral("settling reservation %1").arg(reservation.requestId), sqlError);
            return false;
        };
        // A stored row means the request was settled and its spend counted in the same
        // transaction; the leftover reservation must not be counted again.
        bool stored = false;
        if (!statements.requestStored(reservation.requestId, &stored, &sqlError))
            return failed();
        if (!stored) {
            for (const CounterDelta &hold : reservation.holds) {
                if (!statements.addToCounter(hold, nowMs, &sqlError))
                    return failed();
            }
            if (!statements.upsertRequest(StartupRecovery::interruptedRow(reservation, nowMs), &sqlError))
                return failed();
            ++state->reservationsSettledAtWorst;
        }
        if (!statements.deleteReservation(reservation.requestId, &sqlError))
            return failed();
    }
    return true;
}

bool load(SqliteConnection &connection, StoreStartupState *state, QString *error)
{
    if (!readAll(connection, CountersTable::selectAllSql(),
                 [&](const QSqlQuery &query) { state->counters.append(CountersTable::read(query)); }, error))
        return false;
    if (!readAll(connection, BudgetRulesTable::selectSavedSql(),
                 [&](const QSqlQuery &) { state->hasBudgetRules = true; }, error))
        return false;
    if (state->hasBudgetRules
        && !readAll(connection, BudgetRulesTable::selectAllSql(),
                    [&](const QSqlQuery &query) { state->budgetRules.append(BudgetRulesTable::fromColumn(query)); }, error))
        return false;
    if (!readAll(connection, RateLimitsTable::selectSql(), [&](const QSqlQuery &query) {
            state->hasRateLimits = true;
            state->rateLimits = RateLimitsTable::fromColumn(query);
        }, error))
        return false;
    if (!readAll(connection, VirtualKeysTable::selectAllSql(),
                 [&](const QSqlQuery &query) { state->keys.append(VirtualKeysTable::read(query)); }, error))
        return false;
    return readAll(connection, SessionBlocksTable::selectAllSql(),
                   [&](const QSqlQuery &query) { state->blocks.append(SessionBlocksTable::read(query)); }, error);
}

} // namespace

bool StartupRecovery::run(SqliteConnection &connection, StoreStatements &statements, qint64 nowMs,
                          StoreStartupState *state, QString *error)
{
    *state = StoreStartupState();
    // IMMEDIATE: settling writes, and what is read afterwards must be the state it left.
    if (!connection.exec(QStringLiteral("BEGIN IMMEDIATE"), error))
        return false;
    const bool ok = settle(connection, statements, nowMs, state, error) && load(connection, state, error);
    statements.finish();
    if (ok && connection.exec(QStringLiteral("COMMIT"), error))
        return true;
    QString ignored;
    connection.exec(QStringLiteral("ROLLBACK"), &ignored);
    *state = StoreStartupState();
    return false;
}

UsageRecord StartupRecovery::interruptedRow(const ReservationRecord &reservation, qint64 nowMs)
{
    UsageRecord row;
    row.id = reservation.requestId;
    row.startedAt = reservation.createdAt;
    row.endedAt = nowMs;
    row.tenant = reservation.tenant;
    row.session = reservation.session;
    row.model = reservation.model;
    row.endpoint = reservation.endpoint;
    row.status = 0;                 // the client's response, if any, is unknown
    row.promptTokens = reservation.worstPromptTokens;
    row.completionTokens = reservation.worstCompletionTokens;
    row.costMicros = reservation.worstCostMicros;
    row.currency = reservation.currency;
    row.latencyMs = 0;              // not measured; ended_at - started_at would include the downtime
    row.ttftMs = -1;
    row.error = interruptedError();
    row.estimated = true;           // the worst case, not what the provider reported
    return row;
}
