#include "StoreCallbacks.h"
#include "BudgetSamples.h"
#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/StoreSchema.h"
#include "store/UsageStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <memory>

class tst_UsageStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openCreatesWalDatabase();
    void reopeningIsIdempotent();
    void newerSchemaIsRefused();
    void versionZeroDatabaseMigrates();
    void notADatabaseIsRefused();
    void roundTrip_data();
    void roundTrip();
    void callbackRunsOnceRowIsReadable();
    void loneRowCommitsWithoutWaiting();
    void callbacksRunInRecordOrder();
    void burstIsGroupCommitted();
    void checkpointerCopiesTheWalIntoTheDatabase();
    void flushWaitsForEverything();
    void destructorWritesPendingRows();
    void severalStoresInOneProcess();
    void repeatedIdKeepsTheLatestRow();
    void lockedDatabaseKeepsRowsQueued();
    void flushGivesUpInTimeAndKeepsRows();
    void failingStoreRefusesWaitersAndBoundsHeldRows();
    void refusedRowIsReportedAndOthersCommit();
    void recordBeforeOpenIsReported();
    void killedProcessKeepsCommittedRows();
};

void tst_UsageStore::openCreatesWalDatabase()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("not/yet/there"));
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dataDir, &error), qPrintable(error));
    QVERIFY(store.isOpen());
    QCOMPARE(store.databasePath(), QDir(dataDir).absoluteFilePath(QStringLiteral("tokenfuse.db")));
    QVERIFY(QFile::exists(store.databasePath()));

    TestDatabase check(store.databasePath());
    // Private to the user, the WAL files included.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QString file = store.databasePath() + suffix;
        QVERIFY2(QFile::exists(file), qPrintable(file));
        QCOMPARE(QFileInfo(file).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    }
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.requestCount(), 0);
}

void tst_UsageStore::reopeningIsIdempotent()
{
    QTemporaryDir dir;
    QString error;
    {
        UsageStore store;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        store.record(UsageSamples::sample(1));
        QVERIFY(store.flush());
    }
    UsageStore store;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    store.record(UsageSamples::sample(2));
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 2);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), StoreSchema::latestVersion());
}

void tst_UsageStore::newerSchemaIsRefused()
{
    QTemporaryDir dir;
    const QString path = UsageStore::databasePathIn(dir.path());
    {
        TestDatabase prepare(path);
        QVERIFY(prepare.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    UsageStore store;
    QString error;
    QVERIFY(!store.open(dir.path(), &error));
    QVERIFY(!store.isOpen());
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("schema version 99")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("newer TokenFuse")), qPrintable(error));
    TestDatabase check(path);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 99);
}

void tst_UsageStore::versionZeroDatabaseMigrates()
{
    QTemporaryDir dir;
    const QString path = UsageStore::databasePathIn(dir.path());
    {
        TestDatabase prepare(path);
        QVERIFY(prepare.exec(QStringLiteral("PRAGMA journal_mode = DELETE")));
        QCOMPARE(prepare.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 0);
    }
    QVERIFY(QFile::exists(path));
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    TestDatabase check(path);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
}

void tst_UsageStore::notADatabaseIsRefused()
{
    QTemporaryDir dir;
    const QString path = UsageStore::databasePathIn(dir.path());
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("{\"not\": \"sqlite\"}\n").repeated(300));
    }
    UsageStore store;
    QString error;
    QVERIFY(!store.open(dir.path(), &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    // The store can be opened elsewhere afterwards: the failed attempt left no thread behind.
    QTemporaryDir other;
    QVERIFY2(store.open(other.path(), &error), qPrintable(error));
}

void tst_UsageStore::roundTrip_data()
{
    QTest::addColumn<UsageRecord>("row");

    QTest::newRow("typical") << UsageSamples::sample(7);

    UsageRecord unicode = UsageSamples::sample(8);
    unicode.id = QStringLiteral("req-ünï-🚀");
    unicode.tenant = QStringLiteral("Zürich-租户-🚀");
    unicode.session = QStringLiteral("sessão «agent» 42");
    unicode.model = QStringLiteral("модель/v2");
    QTest::newRow("unicode") << unicode;

    UsageRecord failed = UsageSamples::sample(9);
    failed.status = 504;
    failed.error = QStringLiteral("upstream_timeout");
    failed.completionTokens = 0;
    failed.ttftMs = -1;
    failed.stream = true;
    QTest::newRow("failed stream") << failed;

    UsageRecord estimated = UsageSamples::sample(10);
    estimated.estimated = true;
    estimated.priceKnown = false;
    estimated.keyFingerprint = QStringLiteral("sha256:9f86d081884c");
    estimated.currency = QStringLiteral("EUR");
    QTest::newRow("estimated, fallback price, passed-through key") << estimated;

    UsageRecord large = UsageSamples::sample(11);
    large.startedAt = 4'102'444'800'000; // 2100-01-01
    large.endedAt = large.startedAt + 3'600'000;
    large.promptTokens = 9'007'199'254'740'993;  // 2^53 + 1: would not survive a double
    large.completionTokens = std::numeric_limits<qint64>::max();
    large.cachedTokens = 1'000'000'000'000;
    large.costMicros = std::numeric_limits<qint64>::max() - 1;
    large.latencyMs = 86'400'000;
    large.status = 999;
    QTest::newRow("large numbers") << large;

    UsageRecord empty;
    empty.id = QStringLiteral("req-bare");
    QTest::newRow("defaults, empty strings") << empty;
}

void tst_UsageStore::roundTrip()
{
    QFETCH(UsageRecord, row);
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    store.record(row);
    QVERIFY(store.flush());

    TestDatabase check(store.databasePath());
    const std::optional<UsageRecord> stored = check.request(row.id);
    QVERIFY(stored);
    compareRecords(*stored, row);
    if (QTest::currentTestFailed())
        return;
    // Empty text is stored as '', never NULL.
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE error IS NULL OR tenant IS NULL "
                                         "OR key_fingerprint IS NULL")).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("SELECT typeof(prompt_tokens) || typeof(cost_micros) FROM requests")).toString(),
             QStringLiteral("integerinteger"));
}

void tst_UsageStore::callbackRunsOnceRowIsReadable()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    const UsageRecord row = UsageSamples::sample(1);
    const QString path = store.databasePath();
    int calls = 0;
    qint64 seenByOtherConnection = -1;
    Qt::HANDLE callbackThread = nullptr;
    store.record(row, [&](const StoreOutcome &outcome) {
        QVERIFY(outcome.committed());
        ++calls;
        callbackThread = QThread::currentThreadId();
        TestDatabase independent(path);
        seenByOtherConnection = independent.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE id = ?"), {row.id}).toLongLong();
    });
    QCOMPARE(calls, 0); // record() never runs the callback itself
    QCOMPARE(store.pending(), 1);
    QTRY_COMPARE(calls, 1);
    QCOMPARE(seenByOtherConnection, 1);
    QCOMPARE(callbackThread, QThread::currentThreadId());
    QCOMPARE(store.pending(), 0);
}

void tst_UsageStore::loneRowCommitsWithoutWaiting()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    bool committed = false;
    QElapsedTimer clock;
    clock.start();
    store.record(UsageSamples::sample(1), whenCommitted([&] { committed = true; }));
    QTRY_VERIFY_WITH_TIMEOUT(committed, 5000);
    // Generous for a loaded machine, yet far below any batching timer worth having.
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(store.batchesCommitted(), 1);
}

void tst_UsageStore::callbacksRunInRecordOrder()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QList<int> order;
    for (int i = 0; i < 300; ++i) {
        // Rows without a callback in between must not disturb the order of the others.
        if (i % 3 == 0)
            store.record(UsageSamples::sample(i));
        else
            store.record(UsageSamples::sample(i), whenCommitted([&order, i] { order.append(i); }));
    }
    QTRY_COMPARE(order.size(), 200);
    for (int k = 1; k < order.size(); ++k)
        QVERIFY(order.at(k - 1) < order.at(k));
    QTRY_COMPARE(store.pending(), 0);
}

void tst_UsageStore::burstIsGroupCommitted()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    constexpr int rows = 5000;
    int committed = 0;
    for (int i = 0; i < rows; ++i)
        store.record(UsageSamples::sample(i), whenCommitted([&committed] { ++committed; }));
    QTRY_COMPARE_WITH_TIMEOUT(committed, rows, 60000);
    QCOMPARE(store.pending(), 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), rows);
    const qint64 batches = store.batchesCommitted();
    qInfo("%d rows in %lld transactions", rows, batches);
    QVERIFY2(batches <= rows / 10, qPrintable(QString::number(batches)));
}

void tst_UsageStore::checkpointerCopiesTheWalIntoTheDatabase()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    int committed = 0;
    for (int i = 0; i < 3000; ++i)
        store.record(UsageSamples::sample(i), whenCommitted([&committed] { ++committed; }));
    QTRY_COMPARE_WITH_TIMEOUT(committed, 3000, 60000);
    // The checkpointer's timer moves the WAL into the database: afterwards a checkpoint from an
    // independent connection finds every frame already copied.
    const qint64 before = store.checkpointsRun();
    QTRY_VERIFY_WITH_TIMEOUT(store.checkpointsRun() >= before + 2, 5000);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("checkpoint-probe"));
    {
        db.setDatabaseName(store.databasePath());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);                 // not busy
        QCOMPARE(q.value(2).toInt(), q.value(1).toInt()); // every frame in the WAL is checkpointed
        QVERIFY(q.value(1).toInt() > 0);                 // and the writer left them to the checkpointer
        db.close();
    }
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("checkpoint-probe"));
}

void tst_UsageStore::flushWaitsForEverything()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    int committed = 0;
    for (int i = 0; i < 500; ++i)
        store.record(UsageSamples::sample(i), whenCommitted([&committed] { ++committed; }));
    QVERIFY(store.flush());
    QCOMPARE(committed, 500); // callbacks too, without going back to the event loop
    QCOMPARE(store.pending(), 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 500);
}

void tst_UsageStore::destructorWritesPendingRows()
{
    QTemporaryDir dir;
    QString path;
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        path = store.databasePath();
        for (int i = 0; i < 3000; ++i)
            store.record(UsageSamples::sample(i));
        QVERIFY(store.pending() > 0);
    }
    TestDatabase check(path);
    QCOMPARE(check.requestCount(), 3000);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void tst_UsageStore::severalStoresInOneProcess()
{
    QTemporaryDir dir;
    std::vector<std::unique_ptr<UsageStore>> stores;
    for (int s = 0; s < 3; ++s) {
        stores.push_back(std::make_unique<UsageStore>());
        QString error;
        QVERIFY2(stores.back()->open(dir.filePath(QString::number(s)), &error), qPrintable(error));
    }
    for (int i = 0; i < 300; ++i)
        stores[size_t(i % 3)]->record(UsageSamples::sample(i));
    for (auto &store : stores)
        QVERIFY(store->flush());
    for (int s = 0; s < 3; ++s) {
        TestDatabase check(stores[size_t(s)]->databasePath());
        QCOMPARE(check.requestCount(), 100);
        QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM requests WHERE (prompt_tokens - 100) % 3 != ?"), {s}).toInt(), 0);
    }
}

void tst_UsageStore::repeatedIdKeepsTheLatestRow()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    UsageRecord row = UsageSamples::sample(1);
    store.record(row);
    row.completionTokens = 777;
    row.error = QStringLiteral("client_closed");
    store.record(row);
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 1);
    compareRecords(*check.request(row.id), row);
}

void tst_UsageStore::lockedDatabaseKeepsRowsQueued()
{
    QTemporaryDir dir;
    UsageStore store;
    StoreOptions options;
    options.busyTimeoutMs = 20;
    options.retryInitialMs = 10;
    options.retryMaxMs = 40;
    store.setOptions(options);
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QSignalSpy failed(&store, &UsageStore::writeFailed);
    QSignalSpy recovered(&store, &UsageStore::writeRecovered);

    auto locker = std::make_unique<TestDatabase>(store.databasePath());
    QVERIFY(locker->exec(QStringLiteral("BEGIN IMMEDIATE")));
    QList<StoreOutcome::Status> heard;
    for (int i = 0; i < 3; ++i)
        store.record(UsageSamples::sample(i), [&heard](const StoreOutcome &o) { heard.append(o.status); });

    // The rows' callers hear at once that their rows are held, not when the lock goes.
    QTRY_COMPARE(heard, (QList<StoreOutcome::Status>(3, StoreOutcome::Status::Held)));
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains(QLatin1String("locked")), qPrintable(failed.first().first().toString()));
    QVERIFY(!store.isWritable());
    QVERIFY(store.failure().contains(QLatin1String("locked")));
    const qint64 batches = store.batchesCommitted();
    QTest::qWait(200); // several probes while still locked
    QCOMPARE(failed.count(), 1); // reported once per outage, not per retry
    QCOMPARE(store.batchesCommitted(), batches);
    QCOMPARE(store.pending(), 3);

    QVERIFY(locker->exec(QStringLiteral("ROLLBACK")));
    locker.reset();
    QTRY_COMPARE(store.pending(), 0);
    QTRY_COMPARE(recovered.count(), 1);
    QVERIFY(store.isWritable());
    QVERIFY2(recovered.first().first().toString().contains(QLatin1String("3 usage rows held")), qPrintable(recovered.first().first().toString()));
    QCOMPARE(heard.size(), 3); // once per job
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 3);
}

void tst_UsageStore::flushGivesUpInTimeAndKeepsRows()
{
    QTemporaryDir dir;
    UsageStore store;
    StoreOptions options;
    options.busyTimeoutMs = 20;
    options.retryInitialMs = 10;
    options.retryMaxMs = 40;
    options.flushTimeoutMs = 300;
    store.setOptions(options);
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));

    auto locker = std::make_unique<TestDatabase>(store.databasePath());
    QVERIFY(locker->exec(QStringLiteral("BEGIN IMMEDIATE")));
    int held = 0;
    for (int i = 0; i < 10; ++i)
        store.record(UsageSamples::sample(i), [&held](const StoreOutcome &o) { held += o.status == StoreOutcome::Status::Held; });
    QElapsedTimer clock;
    clock.start();
    QVERIFY(!store.flush());
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(held, 10);
    QCOMPARE(store.pending(), 10);

    // Retrying goes on in the background after flush() gave up.
    QVERIFY(locker->exec(QStringLiteral("ROLLBACK")));
    locker.reset();
    QTRY_COMPARE(store.pending(), 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 10);
}

void tst_UsageStore::failingStoreRefusesWaitersAndBoundsHeldRows()
{
    QTemporaryDir dir;
    UsageStore store;
    StoreOptions options;
    options.busyTimeoutMs = 20;
    options.retryInitialMs = 10;
    options.retryMaxMs = 40;
    options.maxHeldRows = 4;
    store.setOptions(options);
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QSignalSpy failed(&store, &UsageStore::writeFailed);
    QSignalSpy recovered(&store, &UsageStore::writeRecovered);
    QSignalSpy dropped(&store, &UsageStore::jobDropped);

    auto locker = std::make_unique<TestDatabase>(store.databasePath());
    QVERIFY(locker->exec(QStringLiteral("BEGIN IMMEDIATE")));
    std::optional<StoreOutcome> reserved;
    QList<StoreOutcome::Status> rows;
    store.reserve(BudgetSamples::reservation(1), [&](const StoreOutcome &o) { reserved = o; });
    for (int i = 0; i < 6; ++i)
        store.record(UsageSamples::sample(i), [&rows](const StoreOutcome &o) { rows.append(o.status); });
    // A reservation's caller waits for it before forwarding: it hears at once that it is refused.
    QTRY_VERIFY(reserved.has_value());
    QCOMPARE(reserved->status, StoreOutcome::Status::Refused);
    QVERIFY2(reserved->error.contains(QLatin1String("locked")), qPrintable(reserved->error));
    QTRY_COMPARE(rows.size(), 6);
    QCOMPARE(rows.count(StoreOutcome::Status::Held), 4);
    QCOMPARE(rows.count(StoreOutcome::Status::Refused), 2);
    QCOMPARE(failed.count(), 1);
    QTRY_COMPARE(dropped.count(), 1); // said once, not per row
    // Refused at once from then on too, while still failing.
    std::optional<StoreOutcome> later;
    store.reserve(BudgetSamples::reservation(2), [&](const StoreOutcome &o) { later = o; });
    QTRY_VERIFY(later.has_value());
    QCOMPARE(later->status, StoreOutcome::Status::Refused);

    QVERIFY(locker->exec(QStringLiteral("ROLLBACK")));
    locker.reset();
    QTRY_COMPARE(recovered.count(), 1);
    const QString message = recovered.first().first().toString();
    QVERIFY2(message.contains(QLatin1String("4 usage rows held")) && message.contains(QLatin1String("2 usage rows could not be held")),
             qPrintable(message));
    QTRY_COMPARE(store.pending(), 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 4);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
}

void tst_UsageStore::refusedRowIsReportedAndOthersCommit()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    {
        TestDatabase prepare(store.databasePath());
        QVERIFY(prepare.exec(QStringLiteral("CREATE TRIGGER refuse_poison BEFORE INSERT ON requests "
                                            "WHEN NEW.id = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));
    }
    QSignalSpy failed(&store, &UsageStore::jobDropped);
    QSignalSpy outage(&store, &UsageStore::writeFailed);
    QStringList committed;
    QString refusal;
    UsageRecord poison = UsageSamples::sample(2);
    poison.id = QStringLiteral("poison");
    for (const UsageRecord &row : {UsageSamples::sample(1), poison, UsageSamples::sample(3)})
        store.record(row, [&, id = row.id](const StoreOutcome &o) {
            if (o.committed())
                committed.append(id);
            else if (o.status == StoreOutcome::Status::Refused)
                refusal = id + QLatin1Char(' ') + o.error;
        });
    QVERIFY(store.flush());
    QCOMPARE(committed, (QStringList{UsageSamples::sample(1).id, UsageSamples::sample(3).id}));
    // The refused job's caller hears it too, with why.
    QTRY_VERIFY2(refusal.startsWith(QLatin1String("poison ")) && refusal.contains(QLatin1String("refused by the test")), qPrintable(refusal));
    QCOMPARE(store.pending(), 0);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(outage.count(), 0); // one bad row is no outage
    QVERIFY(store.isWritable());
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QLatin1String("poison")) && message.contains(QLatin1String("refused by the test")), qPrintable(message));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 2);
}

void tst_UsageStore::recordBeforeOpenIsReported()
{
    UsageStore store;
    QSignalSpy failed(&store, &UsageStore::jobDropped);
    std::optional<StoreOutcome> heard;
    store.record(UsageSamples::sample(1), [&](const StoreOutcome &o) { heard = o; });
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains(UsageSamples::sample(1).id));
    QVERIFY(!heard); // never inside record() itself
    QTRY_VERIFY(heard.has_value());
    QCOMPARE(heard->status, StoreOutcome::Status::Refused);
    QVERIFY(heard->error.contains(QLatin1String("not open")));
    QVERIFY(store.flush());
    QCOMPARE(store.pending(), 0);
}

void tst_UsageStore::killedProcessKeepsCommittedRows()
{
    QTemporaryDir dir;
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QStringLiteral(USAGE_STORE_CHILD), {dir.path(), QStringLiteral("10000000")});
    QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));

    // Wait until a good number of rows are committed, then kill it while it keeps recording.
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    while (output.count('\n') < 3000 && clock.elapsed() < 60000 && child.state() == QProcess::Running) {
        child.waitForReadyRead(100);
        output += child.readAllStandardOutput();
    }
    QVERIFY2(child.state() == QProcess::Running, child.readAllStandardError().constData());
    child.kill(); // SIGKILL: no destructor, no flush, no atexit
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    output += child.readAllStandardOutput();

    // Only whole lines count: the last one may have been cut by the kill.
    QList<QByteArray> lines = output.split('\n');
    lines.removeLast();
    QVERIFY(lines.size() >= 3000);

    TestDatabase check(UsageStore::databasePathIn(dir.path()));
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QSet<QString> stored;
    QSqlQuery ids(check.db());
    QVERIFY(ids.exec(QStringLiteral("SELECT id FROM requests")));
    while (ids.next())
        stored.insert(ids.value(0).toString());
    int missing = 0;
    for (const QByteArray &line : std::as_const(lines)) {
        if (!stored.contains(QString::fromLatin1(line)))
            ++missing;
    }
    qInfo("child printed %lld committed ids, %lld rows on disk after SIGKILL", qlonglong(lines.size()), qlonglong(stored.size()));
    QCOMPARE(missing, 0);
    QVERIFY(stored.size() < 10000000); // it really was killed mid-stream
}

QTEST_GUILESS_MAIN(tst_UsageStore)
#include "tst_UsageStore.moc"
