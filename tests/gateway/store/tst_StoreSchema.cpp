#include "TestDatabase.h"
#include "store/SqliteConnection.h"
#include "store/StoreSchema.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class tst_StoreSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshFileMigratesToLatest();
    void requestsHasTheDocumentedColumns();
    void settingsTableExists();
    void migratingTwiceChangesNothing();
    void zeroByteFileMigrates();
    void newerFileIsRefused();
    void olderFileRunsTheNewSteps();
    void failingStepLeavesTheFileUnchanged();

private:
    static QString open(SqliteConnection &connection, const QTemporaryDir &dir);
    static bool createExtras(SqliteConnection &connection, QString *error);
    static bool createThenFail(SqliteConnection &connection, QString *error);
};

QString tst_StoreSchema::open(SqliteConnection &connection, const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("tokenfuse.db"));
    QString error;
    if (!connection.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error))
        qWarning("%s", qPrintable(error));
    return path;
}

bool tst_StoreSchema::createExtras(SqliteConnection &connection, QString *error)
{
    return connection.exec(QStringLiteral("CREATE TABLE extras (id INTEGER PRIMARY KEY)"), error);
}

bool tst_StoreSchema::createThenFail(SqliteConnection &connection, QString *error)
{
    if (!connection.exec(QStringLiteral("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"), error))
        return false;
    *error = QStringLiteral("step failed on purpose");
    return false;
}

void tst_StoreSchema::freshFileMigratesToLatest()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), StoreSchema::latestVersion());

    TestDatabase check(path);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.scalar(QStringLiteral("SELECT MAX(version) FROM schema_migrations")).toInt(), StoreSchema::latestVersion());
    QVERIFY(check.scalar(QStringLiteral("SELECT applied_at FROM schema_migrations WHERE version = 1")).toLongLong() > 0);
}

void tst_StoreSchema::requestsHasTheDocumentedColumns()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));

    TestDatabase check(path);
    QSqlQuery columns(check.db());
    QVERIFY(columns.exec(QStringLiteral("SELECT name, type, pk FROM pragma_table_info('requests')")));
    QHash<QString, QString> types;
    QString primaryKey;
    while (columns.next()) {
        types.insert(columns.value(0).toString(), columns.value(1).toString());
        if (columns.value(2).toInt() == 1)
            primaryKey = columns.value(0).toString();
    }
    QCOMPARE(primaryKey, QStringLiteral("id"));
    const QStringList integers = {
        QStringLiteral("started_at"), QStringLiteral("ended_at"), QStringLiteral("stream"), QStringLiteral("status"),
        QStringLiteral("prompt_tokens"), QStringLiteral("completion_tokens"), QStringLiteral("cached_tokens"),
        QStringLiteral("cost_micros"), QStringLiteral("latency_ms"), QStringLiteral("ttft_ms"),
        QStringLiteral("estimated"), QStringLiteral("price_known"),
    };
    const QStringList texts = {
        QStringLiteral("id"), QStringLiteral("tenant"), QStringLiteral("session"), QStringLiteral("model"),
        QStringLiteral("upstream"), QStringLiteral("endpoint"), QStringLiteral("currency"), QStringLiteral("error"),
        QStringLiteral("key_fingerprint"),
    };
    for (const QString &name : integers)
        QVERIFY2(types.value(name) == QLatin1String("INTEGER"), qPrintable(name));
    for (const QString &name : texts)
        QVERIFY2(types.value(name) == QLatin1String("TEXT"), qPrintable(name));

    QSqlQuery indexes(check.db());
    QVERIFY(indexes.exec(QStringLiteral("SELECT il.name, ii.name FROM pragma_index_list('requests') AS il, "
                                        "pragma_index_info(il.name) AS ii WHERE ii.seqno = 0")));
    QSet<QString> leading;
    while (indexes.next())
        leading.insert(indexes.value(1).toString());
    for (const char *column : {"started_at", "tenant", "session", "model"})
        QVERIFY2(leading.contains(QLatin1String(column)), column);
}

void tst_StoreSchema::settingsTableExists()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('theme', 'dark')"), &error));
    QVERIFY(!connection.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('theme', 'light')"), &error));
}

void tst_StoreSchema::migratingTwiceChangesNothing()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at) VALUES ('kept', 1, 2)"), &error));
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QVariant value;
    QVERIFY(connection.exec(QStringLiteral("SELECT COUNT(*) FROM schema_migrations"), &error, &value));
    QCOMPARE(value.toInt(), StoreSchema::latestVersion());
    QVERIFY(connection.exec(QStringLiteral("SELECT id FROM requests"), &error, &value));
    QCOMPARE(value.toString(), QStringLiteral("kept"));
}

void tst_StoreSchema::zeroByteFileMigrates()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tokenfuse.db"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    QCOMPARE(QFileInfo(path).size(), 0);
    SqliteConnection connection(QStringLiteral("schema"));
    open(connection, dir);
    QString error;
    QCOMPARE(StoreSchema::version(connection, &error), 0);
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), StoreSchema::latestVersion());
}

void tst_StoreSchema::newerFileIsRefused()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    const int future = StoreSchema::latestVersion() + 5;
    QVERIFY(connection.exec(QStringLiteral("PRAGMA user_version = %1").arg(future), &error));
    QVERIFY(!StoreSchema::migrate(connection, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QString::number(future)), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("newer TokenFuse")), qPrintable(error));
    QString ignored;
    QCOMPARE(StoreSchema::version(connection, &ignored), future);
    QVERIFY(!connection.exec(QStringLiteral("SELECT 1 FROM requests"), &ignored));
}

void tst_StoreSchema::olderFileRunsTheNewSteps()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at) VALUES ('old', 1, 2)"), &error));

    QList<StoreSchema::Migration> steps = StoreSchema::migrations();
    const int next = StoreSchema::latestVersion() + 1;
    steps.append({next, QStringLiteral("extras for the test"), &createExtras});
    QVERIFY2(StoreSchema::migrate(connection, steps, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), next);
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO extras (id) VALUES (1)"), &error));
    QVariant value;
    QVERIFY(connection.exec(QStringLiteral("SELECT summary FROM schema_migrations WHERE version = %1").arg(next), &error, &value));
    QCOMPARE(value.toString(), QStringLiteral("extras for the test"));
    QVERIFY(connection.exec(QStringLiteral("SELECT id FROM requests"), &error, &value));
    QCOMPARE(value.toString(), QStringLiteral("old"));

    // The built-in list alone now counts as older than the file.
    QVERIFY(!StoreSchema::migrate(connection, &error));
}

void tst_StoreSchema::failingStepLeavesTheFileUnchanged()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    open(connection, dir);
    QString error;
    QList<StoreSchema::Migration> steps = StoreSchema::migrations();
    const int next = StoreSchema::latestVersion() + 1;
    steps.append({next, QStringLiteral("broken"), &createThenFail});
    QVERIFY(!StoreSchema::migrate(connection, steps, &error));
    QVERIFY2(error.contains(QStringLiteral("version %1").arg(next)), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("step failed on purpose")), qPrintable(error));

    // The good steps before it are kept; the broken one left nothing behind.
    QString ignored;
    QCOMPARE(StoreSchema::version(connection, &ignored), StoreSchema::latestVersion());
    QVERIFY(!connection.exec(QStringLiteral("SELECT 1 FROM half_done"), &ignored));
    QVariant value;
    QVERIFY(connection.exec(QStringLiteral("SELECT COUNT(*) FROM schema_migrations"), &ignored, &value));
    QCOMPARE(value.toInt(), StoreSchema::latestVersion());
}

QTEST_GUILESS_MAIN(tst_StoreSchema)
#include "tst_StoreSchema.moc"
