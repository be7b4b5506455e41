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
    void freshFileHasEveryTable();
    void budgetTablesHaveTheDocumentedColumns_data();
    void budgetTablesHaveTheDocumentedColumns();
    void versionOneFileMigratesKeepingRows();
    void versionTwoFileGainsTheRequestColumns();
    void versionThreeFileGainsSessionBlocks();
    void migratingTwiceChangesNothing();
    void zeroByteFileMigrates();
    void newerFileIsRefused();
    void olderFileRunsTheNewSteps();
    void failingStepLeavesTheFileUnchanged();

private:
    static QHash<QString, QString> columnTypes(TestDatabase &check, const QString &table, QStringList *primaryKey);
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
        QStringLiteral("estimated"), QStringLiteral("price_known"), QStringLiteral("reasoning_tokens"),
        QStringLiteral("clamped_max_tokens"),
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

QHash<QString, QString> tst_StoreSchema::columnTypes(TestDatabase &check, const QString &table, QStringList *primaryKey)
{
    QSqlQuery columns(check.db());
    columns.prepare(QStringLiteral("SELECT name, type, pk, \"notnull\" FROM pragma_table_info(?) ORDER BY pk"));
    columns.addBindValue(table);
    QHash<QString, QString> types;
    if (!columns.exec())
        qWarning("%s", qPrintable(columns.lastError().text()));
    while (columns.next()) {
        types.insert(columns.value(0).toString(), columns.value(1).toString());
        if (columns.value(2).toInt() > 0)
            primaryKey->append(columns.value(0).toString());
        if (columns.value(3).toInt() == 0)
            types.insert(columns.value(0).toString(), QStringLiteral("nullable"));
    }
    return types;
}

void tst_StoreSchema::freshFileHasEveryTable()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::latestVersion(), 6);

    TestDatabase check(path);
    const QSet<QString> tables = check.strings(QStringLiteral("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                                              "AND name NOT LIKE 'sqlite_%'"));
    QCOMPARE(tables, (QSet<QString>{QStringLiteral("requests"), QStringLiteral("settings"),
                                    QStringLiteral("schema_migrations"), QStringLiteral("budget_counters"),
                                    QStringLiteral("reservations"), QStringLiteral("budget_rules"),
                                    QStringLiteral("virtual_keys"), QStringLiteral("audit"),
                                    QStringLiteral("session_blocks")}));
    QCOMPARE(check.scalar(QStringLiteral("SELECT summary FROM schema_migrations WHERE version = 2")).toString(),
             QStringLiteral("budget counters, reservations, budget rules, virtual keys, audit"));
    QCOMPARE(check.scalar(QStringLiteral("SELECT summary FROM schema_migrations WHERE version = 3")).toString(),
             QStringLiteral("requests: reasoning_tokens, clamped_max_tokens"));
    QCOMPARE(check.scalar(QStringLiteral("SELECT summary FROM schema_migrations WHERE version = 4")).toString(),
             QStringLiteral("session blocks"));
    QCOMPARE(check.scalar(QStringLiteral("SELECT summary FROM schema_migrations WHERE version = 6")).toString(),
             QStringLiteral("virtual_keys: priority"));
}

void tst_StoreSchema::budgetTablesHaveTheDocumentedColumns_data()
{
    QTest::addColumn<QString>("table");
    QTest::addColumn<QStringList>("primaryKey");
    QTest::addColumn<QStringList>("integers");
    QTest::addColumn<QStringList>("texts");

    QTest::newRow("budget_counters") << QStringLiteral("budget_counters")
        << QStringList{QStringLiteral("rule"), QStringLiteral("subject"), QStringLiteral("window_start")}
        << QStringList{QStringLiteral("window_start"), QStringLiteral("tokens"), QStringLiteral("cost_micros"),
                       QStringLiteral("requests"), QStringLiteral("updated_at")}
        << QStringList{QStringLiteral("rule"), QStringLiteral("subject")};
    QTest::newRow("reservations") << QStringLiteral("reservations") << QStringList{QStringLiteral("request_id")}
        << QStringList{QStringLiteral("created_at"), QStringLiteral("worst_prompt_tokens"),
                       QStringLiteral("worst_completion_tokens"), QStringLiteral("worst_cost_micros")}
        << QStringList{QStringLiteral("request_id"), QStringLiteral("tenant"), QStringLiteral("session"),
                       QStringLiteral("model"), QStringLiteral("endpoint"), QStringLiteral("currency"),
                       QStringLiteral("holds")};
    QTest::newRow("budget_rules") << QStringLiteral("budget_rules") << QStringList{QStringLiteral("position")}
        << QStringList{QStringLiteral("position")} << QStringList{QStringLiteral("rule")};
    QTest::newRow("virtual_keys") << QStringLiteral("virtual_keys") << QStringList{QStringLiteral("id")}
        << QStringList{QStringLiteral("created_at"), QStringLiteral("revoked_at"), QStringLiteral("priority")}
        << QStringList{QStringLiteral("id"), QStringLiteral("hash"), QStringLiteral("prefix"), QStringLiteral("tenant"),
                       QStringLiteral("name")};
    QTest::newRow("audit") << QStringLiteral("audit") << QStringList{QStringLiteral("id")}
        << QStringList{QStringLiteral("id"), QStringLiteral("at")}
        << QStringList{QStringLiteral("actor"), QStringLiteral("action"), QStringLiteral("target"),
                       QStringLiteral("before"), QStringLiteral("after")};
    QTest::newRow("session_blocks") << QStringLiteral("session_blocks")
        << QStringList{QStringLiteral("scope"), QStringLiteral("target")}
        << QStringList{QStringLiteral("killed"), QStringLiteral("since_ms"), QStringLiteral("until_ms"),
                       QStringLiteral("cost_at_trip_micros")}
        << QStringList{QStringLiteral("scope"), QStringLiteral("target"), QStringLiteral("signal"), QStringLiteral("reason"),
                       QStringLiteral("actor")};
}

void tst_StoreSchema::budgetTablesHaveTheDocumentedColumns()
{
    QFETCH(QString, table);
    QFETCH(QStringList, primaryKey);
    QFETCH(QStringList, integers);
    QFETCH(QStringList, texts);
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));

    TestDatabase check(path);
    QStringList key;
    const QHash<QString, QString> types = columnTypes(check, table, &key);
    QCOMPARE(key, primaryKey);
    QCOMPARE(types.size(), qsizetype(QSet<QString>(integers.begin(), integers.end())
                                         .unite(QSet<QString>(texts.begin(), texts.end())).size()));
    // Every column is NOT NULL: "none" is '' or 0, as in requests.
    for (const QString &name : integers)
        QVERIFY2(types.value(name) == QLatin1String("INTEGER"), qPrintable(name + QLatin1Char(' ') + types.value(name)));
    for (const QString &name : texts)
        QVERIFY2(types.value(name) == QLatin1String("TEXT"), qPrintable(name + QLatin1Char(' ') + types.value(name)));
}

void tst_StoreSchema::versionOneFileMigratesKeepingRows()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    // A file as the first release left it: step 1 only, with rows and a setting in it.
    QVERIFY2(StoreSchema::migrate(connection, StoreSchema::migrations().mid(0, 1), &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), 1);
    for (int i = 0; i < 50; ++i) {
        QVERIFY2(connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, tenant, cost_micros) "
                                                "VALUES ('old-%1', %1, %2, 'acme', %3)").arg(i).arg(i + 5).arg(i * 10), &error),
                 qPrintable(error));
    }
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('theme', 'dark')"), &error));
    QVERIFY(!connection.exec(QStringLiteral("SELECT 1 FROM budget_counters"), &error));

    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), StoreSchema::latestVersion());

    TestDatabase check(path);
    QCOMPARE(check.requestCount(), 50);
    QCOMPARE(check.scalar(QStringLiteral("SELECT SUM(cost_micros) FROM requests WHERE tenant = 'acme'")).toLongLong(), 12250);
    QCOMPARE(check.scalar(QStringLiteral("SELECT value FROM settings WHERE key = 'theme'")).toString(), QStringLiteral("dark"));
    QCOMPARE(check.strings(QStringLiteral("SELECT version FROM schema_migrations")),
             (QSet<QString>{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4"), QStringLiteral("5"), QStringLiteral("6")}));
    for (const char *table : {"budget_counters", "reservations", "budget_rules", "virtual_keys", "audit"})
        QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table))).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void tst_StoreSchema::versionTwoFileGainsTheRequestColumns()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    // A file as the budgets release left it, with rows in it.
    QVERIFY2(StoreSchema::migrate(connection, StoreSchema::migrations().mid(0, 2), &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), 2);
    for (int i = 0; i < 20; ++i) {
        QVERIFY2(connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, completion_tokens) "
                                                "VALUES ('old-%1', %1, %1, 7)").arg(i), &error),
                 qPrintable(error));
    }
    QVERIFY(!connection.exec(QStringLiteral("SELECT clamped_max_tokens FROM requests"), &error));

    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), StoreSchema::latestVersion());

    TestDatabase check(path);
    QCOMPARE(check.requestCount(), 20);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE reasoning_tokens = 0 AND clamped_max_tokens = 0 "
                                         "AND completion_tokens = 7")).toInt(), 20);
    QStringList key;
    const QHash<QString, QString> types = columnTypes(check, QStringLiteral("requests"), &key);
    QCOMPARE(types.value(QStringLiteral("reasoning_tokens")), QStringLiteral("INTEGER"));  // NOT NULL
    QCOMPARE(types.value(QStringLiteral("clamped_max_tokens")), QStringLiteral("INTEGER"));
    QVERIFY(!connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, clamped_max_tokens) "
                                            "VALUES ('null', 1, 1, NULL)"), &error));
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void tst_StoreSchema::versionThreeFileGainsSessionBlocks()
{
    QTemporaryDir dir;
    SqliteConnection connection(QStringLiteral("schema"));
    const QString path = open(connection, dir);
    QString error;
    // A file as the spend-down release left it, with requests, a key, a rule and audit entries.
    QVERIFY2(StoreSchema::migrate(connection, StoreSchema::migrations().mid(0, 3), &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), 3);
    for (int i = 0; i < 30; ++i) {
        QVERIFY2(connection.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, session, cost_micros, "
                                                "reasoning_tokens) VALUES ('old-%1', %1, %1, 'agent-%2', 9, 3)")
                                     .arg(i).arg(i % 4), &error),
                 qPrintable(error));
        QVERIFY2(connection.exec(QStringLiteral("INSERT INTO audit (at, actor, action, target) "
                                                "VALUES (%1, 'console', 'keys.create', 'vk_%1')").arg(i), &error),
                 qPrintable(error));
    }
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO virtual_keys (id, hash) VALUES ('vk_1', 'abc')"), &error));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO budget_rules (position, rule) VALUES (0, '{}')"), &error));
    QVERIFY(!connection.exec(QStringLiteral("SELECT 1 FROM session_blocks"), &error));

    QVERIFY2(StoreSchema::migrate(connection, &error), qPrintable(error));
    QCOMPARE(StoreSchema::version(connection, &error), StoreSchema::latestVersion());

    TestDatabase check(path);
    QCOMPARE(check.requestCount(), 30);
    // Step 5: rows from before retries existed took one attempt each.
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE attempts = 1")).toInt(), 30);
    QCOMPARE(check.scalar(QStringLiteral("SELECT SUM(cost_micros + reasoning_tokens) FROM requests")).toInt(), 360);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(DISTINCT session) FROM requests")).toInt(), 4);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 30);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM virtual_keys")).toInt(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM budget_rules")).toInt(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM session_blocks")).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("SELECT MAX(version) FROM schema_migrations")).toInt(), StoreSchema::latestVersion());
    // The step adds no index to requests: the totals use the ones of step 1.
    QCOMPARE(check.strings(QStringLiteral("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' "
                                          "AND name NOT LIKE 'sqlite_%'")),
             (QSet<QString>{QStringLiteral("requests_by_time"), QStringLiteral("requests_by_tenant"),
                            QStringLiteral("requests_by_session"), QStringLiteral("requests_by_model")}));
    // Defaults as documented; one row per scope and target; only the three scopes.
    QVERIFY(check.exec(QStringLiteral("INSERT INTO session_blocks (scope, target) VALUES ('session', 'agent-1')")));
    QCOMPARE(check.scalar(QStringLiteral("SELECT killed || ' ' || until_ms || ' ' || cost_at_trip_micros FROM session_blocks")).toString(),
             QStringLiteral("1 0 -1"));
    QVERIFY(!connection.exec(QStringLiteral("INSERT INTO session_blocks (scope, target) VALUES ('session', 'agent-1')"), &error));
    QVERIFY(connection.exec(QStringLiteral("INSERT INTO session_blocks (scope, target) VALUES ('tenant', 'agent-1')"), &error));
    QVERIFY(!connection.exec(QStringLiteral("INSERT INTO session_blocks (scope, target) VALUES ('process', 'x')"), &error));
    QVERIFY2(error.contains(QLatin1String("CHECK")), qPrintable(error));
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
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
