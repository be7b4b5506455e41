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

} // namespace

const QList<StoreSchema::Migration> &StoreSchema::migrations()
{
    static const QList<Migration> steps = {
        {1, QStringLiteral("requests and settings"), &createRequestsAndSettings},
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
