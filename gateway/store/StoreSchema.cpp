#include "StoreSchema.h"

#include "SqliteConnection.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

bool execAll(SqliteConnection &connection, const QStringList &statements, QString *error)
{
    for (const QString &sql : statements) {
        if (!connection.exec(sql, error))
            return false;
    }
    return true;
}

// Step 1: one row per request, and free-form settings. Columns are documented in docs/storage.md.
bool createRequestsAndSettings(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {
        QStringLiteral(R"(CREATE TABLE requests (
            id                TEXT    NOT NULL PRIMARY KEY,
            started_at        INTEGER NOT NULL,
            ended_at          INTEGER NOT NULL,
            tenant            TEXT    NOT NULL DEFAULT '',
            session           TEXT    NOT NULL DEFAULT '',
            model             TEXT    NOT NULL DEFAULT '',
            upstream          TEXT    NOT NULL DEFAULT '',
            endpoint          TEXT    NOT NULL DEFAULT '',
            stream            INTEGER NOT NULL DEFAULT 0,
            status            INTEGER NOT NULL DEFAULT 0,
            prompt_tokens     INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            cached_tokens     INTEGER NOT NULL DEFAULT 0,
            cost_micros       INTEGER NOT NULL DEFAULT 0,
            currency          TEXT    NOT NULL DEFAULT 'USD',
            latency_ms        INTEGER NOT NULL DEFAULT 0,
            ttft_ms           INTEGER NOT NULL DEFAULT -1,
            error             TEXT    NOT NULL DEFAULT '',
            estimated         INTEGER NOT NULL DEFAULT 0,
            price_known       INTEGER NOT NULL DEFAULT 1,
            key_fingerprint   TEXT    NOT NULL DEFAULT ''
        ))"),
        QStringLiteral("CREATE INDEX requests_by_time ON requests (started_at)"),
        QStringLiteral("CREATE INDEX requests_by_tenant ON requests (tenant, started_at)"),
        QStringLiteral("CREATE INDEX requests_by_session ON requests (session, started_at)"),
        QStringLiteral("CREATE INDEX requests_by_model ON requests (model, started_at)"),
        QStringLiteral("CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)"),
    }, error);
}

// Step 2: budgets with durable reservations, virtual keys and the audit log. Each table is
// documented in docs/storage.md. Text columns are NOT NULL like those of step 1; JSON columns
// hold compact JSON text ('null' for nothing), so sqlite3 users can read them with json_extract().
bool createBudgetsKeysAndAudit(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {
        // Spend per counter and window. WITHOUT ROWID: the composite key is the only way in.
        QStringLiteral(R"(CREATE TABLE budget_counters (
            rule         TEXT    NOT NULL,
            subject      TEXT    NOT NULL DEFAULT '',
            window_start INTEGER NOT NULL DEFAULT 0,
            tokens       INTEGER NOT NULL DEFAULT 0,
            cost_micros  INTEGER NOT NULL DEFAULT 0,
            requests     INTEGER NOT NULL DEFAULT 0,
            updated_at   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (rule, subject, window_start)
        ) WITHOUT ROWID)"),
        // Requests in flight: a handful of rows at any time, so no index beyond the key.
        QStringLiteral(R"(CREATE TABLE reservations (
            request_id              TEXT    NOT NULL PRIMARY KEY,
            created_at              INTEGER NOT NULL,
            tenant                  TEXT    NOT NULL DEFAULT '',
            session                 TEXT    NOT NULL DEFAULT '',
            model                   TEXT    NOT NULL DEFAULT '',
            endpoint                TEXT    NOT NULL DEFAULT '',
            worst_prompt_tokens     INTEGER NOT NULL DEFAULT 0,
            worst_completion_tokens INTEGER NOT NULL DEFAULT 0,
            worst_cost_micros       INTEGER NOT NULL DEFAULT 0,
            currency                TEXT    NOT NULL DEFAULT 'USD',
            holds                   TEXT    NOT NULL DEFAULT '[]'
        ))"),
        QStringLiteral(R"(CREATE TABLE budget_rules (
            position INTEGER NOT NULL PRIMARY KEY,
            rule     TEXT    NOT NULL
        ))"),
        QStringLiteral(R"(CREATE TABLE virtual_keys (
            id         TEXT    NOT NULL PRIMARY KEY,
            hash       TEXT    NOT NULL UNIQUE,
            prefix     TEXT    NOT NULL DEFAULT '',
            tenant     TEXT    NOT NULL DEFAULT '',
            name       TEXT    NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL DEFAULT 0,
            revoked_at INTEGER NOT NULL DEFAULT 0
        ))"),
        // AUTOINCREMENT: ids are never reused, even after the newest entries are deleted, so an
        // audit id seen once always names the same change.
        QStringLiteral(R"(CREATE TABLE audit (
            id       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            at       INTEGER NOT NULL,
            actor    TEXT    NOT NULL DEFAULT '',
            action   TEXT    NOT NULL DEFAULT '',
            target   TEXT    NOT NULL DEFAULT '',
            "before" TEXT    NOT NULL DEFAULT 'null',
            "after"  TEXT    NOT NULL DEFAULT 'null'
        ))"),
        QStringLiteral("CREATE INDEX audit_by_time ON audit (at)"),
    }, error);
}

// Step 3: what spend down and reasoning models add to a request's row (docs/storage.md).
// ADD COLUMN with a constant default rewrites nothing: old rows read 0 at once.
bool addClampAndReasoningColumns(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {
        QStringLiteral("ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE requests ADD COLUMN clamped_max_tokens INTEGER NOT NULL DEFAULT 0"),
    }, error);
}

// Step 4: the session breakers that are open (docs/storage.md), so a restart keeps what was
// tripped or killed. A handful of rows, reached by their key only: WITHOUT ROWID, no index. The
// per-session totals read requests through requests_by_session and requests_by_time, both from
// step 1, so nothing is added to a table that may hold millions of rows.
bool createSessionBlocks(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {
        QStringLiteral(R"(CREATE TABLE session_blocks (
            scope               TEXT    NOT NULL CHECK (scope IN ('session', 'tenant', 'all')),
            target              TEXT    NOT NULL DEFAULT '',
            killed              INTEGER NOT NULL DEFAULT 1,
            signal              TEXT    NOT NULL DEFAULT '',
            reason              TEXT    NOT NULL DEFAULT '',
            actor               TEXT    NOT NULL DEFAULT '',
            since_ms            INTEGER NOT NULL DEFAULT 0,
            until_ms            INTEGER NOT NULL DEFAULT 0,
            cost_at_trip_micros INTEGER NOT NULL DEFAULT -1,
            PRIMARY KEY (scope, target)
        ) WITHOUT ROWID)"),
    }, error);
}

bool runStep(SqliteConnection &connection, const StoreSchema::Migration &step, QString *error)
{
    // IMMEDIATE takes the write lock first, so two processes opening the same new file can't both
    // run a step: the second waits, then sees the new version below and skips it.
    if (!connection.exec(QStringLiteral("BEGIN IMMEDIATE"), error))
        return false;
    QString stepError;
    const bool ok = [&] {
        const int current = StoreSchema::version(connection, &stepError);
        if (current < 0)
            return false;
        if (current >= step.version)
            return true;
        if (current != step.version - 1) {
            stepError = QStringLiteral("%1: schema is at version %2, expected %3 before migration step %4")
                            .arg(connection.path()).arg(current).arg(step.version - 1).arg(step.version);
            return false;
        }
        if (!connection.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                            "version INTEGER NOT NULL PRIMARY KEY, summary TEXT NOT NULL, "
                                            "applied_at INTEGER NOT NULL)"),
                             &stepError))
            return false;
        if (!step.apply(connection, &stepError))
            return false;
        QSqlQuery history(connection.database());
        history.prepare(QStringLiteral("INSERT INTO schema_migrations (version, summary, applied_at) VALUES (?, ?, ?)"));
        history.addBindValue(step.version);
        history.addBindValue(step.summary);
        history.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!history.exec()) {
            stepError = connection.describe(QStringLiteral("recording the migration"), history.lastError());
            return false;
        }
        return connection.exec(QStringLiteral("PRAGMA user_version = %1").arg(step.version), &stepError);
    }();
    if (!ok) {
        QString ignored;
        connection.exec(QStringLiteral("ROLLBACK"), &ignored);
        *error = QStringLiteral("schema migration to version %1 (%2) failed, the file is unchanged: %3")
                     .arg(step.version).arg(step.summary, stepError);
        return false;
    }
    return connection.exec(QStringLiteral("COMMIT"), error);
}

// Step 5: how many upstream attempts a request took (retries and failover; old rows read 1), and
// the model asked for when a fallback model answered instead.
bool addAttemptsColumn(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {QStringLiteral("ALTER TABLE requests ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1"),
                                QStringLiteral("ALTER TABLE requests ADD COLUMN fallback_from TEXT NOT NULL DEFAULT ''")}, error);
}

// Step 6: a virtual key's tier in the upstreams' wait queues (0: its tenant's, from "tenants").
bool addKeyPriority(SqliteConnection &connection, QString *error)
{
    return execAll(connection, {QStringLiteral("ALTER TABLE virtual_keys ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")}, error);
}

} // namespace

const QList<StoreSchema::Migration> &StoreSchema::migrations()
{
    static const QList<Migration> steps = {
        {1, QStringLiteral("requests and settings"), &createRequestsAndSettings},
        {2, QStringLiteral("budget counters, reservations, budget rules, virtual keys, audit"), &createBudgetsKeysAndAudit},
        {3, QStringLiteral("requests: reasoning_tokens, clamped_max_tokens"), &addClampAndReasoningColumns},
        {4, QStringLiteral("session blocks"), &createSessionBlocks},
        {5, QStringLiteral("requests: attempts, fallback_from"), &addAttemptsColumn},
        {6, QStringLiteral("virtual_keys: priority"), &addKeyPriority},
    };
    return steps;
}

int StoreSchema::latestVersion()
{
    return migrations().constLast().version;
}

bool StoreSchema::migrate(SqliteConnection &connection, QString *error)
{
    return migrate(connection, migrations(), error);
}

bool StoreSchema::migrate(SqliteConnection &connection, const QList<Migration> &steps, QString *error)
{
    const int known = steps.isEmpty() ? 0 : steps.constLast().version;
    const int current = version(connection, error);
    if (current < 0)
        return false;
    if (current > known) {
        *error = newerVersionMessage(connection.path(), current, known);
        return false;
    }
    for (const Migration &step : steps) {
        if (step.version <= current)
            continue;
        if (!runStep(connection, step, error))
            return false;
    }
    return true;
}

int StoreSchema::version(SqliteConnection &connection, QString *error)
{
    QVariant value;
    if (!connection.exec(QStringLiteral("PRAGMA user_version"), error, &value))
        return -1;
    return value.toInt();
}

QString StoreSchema::newerVersionMessage(const QString &path, int fileVersion, int knownVersion)
{
    return QStringLiteral("%1 has schema version %2, but this TokenFuse knows versions up to %3: the file was "
                          "written by a newer TokenFuse. Upgrade TokenFuse, or use another --data-dir.")
        .arg(path).arg(fileVersion).arg(knownVersion);
}
