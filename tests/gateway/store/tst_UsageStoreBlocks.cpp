// UsageStore's session breakers: saveBlock() and clearBlocks() with their audit entries, what
// recoverAndLoad() hands back after a restart or a kill -9, and refusal while the disk fails.
#include "BlockSamples.h"
#include "StoreCallbacks.h"
#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <optional>

class tst_UsageStoreBlocks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void freshStoreHasNoBlocks();
    void blocksAreLoadedAfterReopening();
    void savingTheSameKeyReplacesTheBlock();
    void clearBlocksRemovesExactlyTheGivenKeys();
    void blockAndItsAuditAreOneTransaction();
    void failingStoreRefusesBlocksAtOnce();
    void killedProcessKeepsCommittedBlocks();

private:
    static SessionBlock block(SessionBlock::Scope scope, const QString &target);
    static AuditEntry entry(const QString &action, const QString &target);
    static StoreStartupState reopenAndLoad(const QString &dataDir);
    static QSet<QString> storedKeys(const QString &databasePath);
    static void compareBlocks(const SessionBlock &actual, const SessionBlock &expected);
};

SessionBlock tst_UsageStoreBlocks::block(SessionBlock::Scope scope, const QString &target)
{
    SessionBlock b = BlockSamples::block(0);
    b.scope = scope;
    b.target = target;
    return b;
}

AuditEntry tst_UsageStoreBlocks::entry(const QString &action, const QString &target)
{
    AuditEntry e;
    e.at = 1'741'600'000'000;
    e.actor = QStringLiteral("console");
    e.action = action;
    e.target = target;
    return e;
}

StoreStartupState tst_UsageStoreBlocks::reopenAndLoad(const QString &dataDir)
{
    UsageStore store;
    QString error;
    if (!store.open(dataDir, &error))
        qWarning("%s", qPrintable(error));
    const StoreStartupState state = store.recoverAndLoad(1'741'700'000'000, &error);
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    return state;
}

QSet<QString> tst_UsageStoreBlocks::storedKeys(const QString &databasePath)
{
    TestDatabase check(databasePath);
    return check.strings(QStringLiteral("SELECT scope || ':' || target FROM session_blocks"));
}

void tst_UsageStoreBlocks::compareBlocks(const SessionBlock &actual, const SessionBlock &expected)
{
    QCOMPARE(int(actual.scope), int(expected.scope));
    QCOMPARE(actual.target, expected.target);
    QCOMPARE(actual.killed, expected.killed);
    QCOMPARE(actual.signal, expected.signal);
    QCOMPARE(actual.reason, expected.reason);
    QCOMPARE(actual.actor, expected.actor);
    QCOMPARE(actual.sinceMs, expected.sinceMs);
    QCOMPARE(actual.untilMs, expected.untilMs);
    QCOMPARE(actual.costAtTripMicros, expected.costAtTripMicros);
}

void tst_UsageStoreBlocks::freshStoreHasNoBlocks()
{
    QTemporaryDir dir;
    QVERIFY(reopenAndLoad(dir.path()).blocks.isEmpty());
}

void tst_UsageStoreBlocks::blocksAreLoadedAfterReopening()
{
    QTemporaryDir dir;
    // A tripped session with a cooldown and a known spend, a killed tenant, and stop-all.
    QList<SessionBlock> saved = {BlockSamples::block(1), BlockSamples::block(4)};
    SessionBlock all;
    all.scope = SessionBlock::Scope::All;
    all.signal = QStringLiteral("stop_all");
    all.reason = QStringLiteral("runaway spend overnight");
    all.actor = QStringLiteral("console");
    all.sinceMs = 1'741'600'000'009;
    saved.append(all);
    QCOMPARE(int(saved.at(1).scope), int(SessionBlock::Scope::Tenant));
    QVERIFY(!saved.at(0).killed && saved.at(0).untilMs > 0 && saved.at(0).costAtTripMicros > 0);
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        int committed = 0;
        for (const SessionBlock &b : std::as_const(saved))
            store.saveBlock(b, BlockSamples::audit(b), whenCommitted([&] { ++committed; }));
        QVERIFY(store.flush());
        QCOMPARE(committed, 3);
    } // closed: the next store opens the file afresh

    const StoreStartupState state = reopenAndLoad(dir.path());
    QCOMPARE(state.blocks.size(), 3);
    for (int i = 0; i < 3; ++i) // oldest first
        compareBlocks(state.blocks.at(i), saved.at(i));
    // And they stay: a second start reads them again.
    QCOMPARE(reopenAndLoad(dir.path()).blocks.size(), 3);
}

void tst_UsageStoreBlocks::savingTheSameKeyReplacesTheBlock()
{
    QTemporaryDir dir;
    SessionBlock tripped = block(SessionBlock::Scope::Session, QStringLiteral("agent-1"));
    tripped.killed = false;
    tripped.signal = QStringLiteral("repetition");
    tripped.untilMs = tripped.sinceMs + 60'000;
    SessionBlock killed = tripped;
    killed.killed = true;
    killed.signal = QStringLiteral("kill");
    killed.reason = QStringLiteral("looping, stopped by hand");
    killed.actor = QStringLiteral("console");
    killed.sinceMs += 5000;
    killed.untilMs = 0;
    killed.costAtTripMicros = 42;
    // The same target in another scope is another block.
    const SessionBlock tenant = block(SessionBlock::Scope::Tenant, QStringLiteral("agent-1"));
    {
        UsageStore store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        store.saveBlock(tripped, entry(QStringLiteral("sessions.trip"), tripped.target));
        store.saveBlock(tenant, entry(QStringLiteral("tenants.kill"), tenant.target));
        store.saveBlock(killed, entry(QStringLiteral("sessions.kill"), killed.target));
        QVERIFY(store.flush());
    }
    const StoreStartupState state = reopenAndLoad(dir.path());
    QCOMPARE(state.blocks.size(), 2);
    compareBlocks(state.blocks.at(0), tenant);
    compareBlocks(state.blocks.at(1), killed);
}

void tst_UsageStoreBlocks::clearBlocksRemovesExactlyTheGivenKeys()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    SessionBlock all = block(SessionBlock::Scope::All, QString());
    for (const SessionBlock &b : {block(SessionBlock::Scope::Session, QStringLiteral("s-1")),
                                  block(SessionBlock::Scope::Session, QStringLiteral("s-2")),
                                  block(SessionBlock::Scope::Session, QStringLiteral("acme")),
                                  block(SessionBlock::Scope::Tenant, QStringLiteral("acme")), all})
        store.saveBlock(b, entry(QStringLiteral("sessions.kill"), b.target));
    QVERIFY(store.flush());

    // Only scope and target count; a key that is not stored is no error.
    SessionBlock otherFields = block(SessionBlock::Scope::Session, QStringLiteral("s-1"));
    otherFields.reason = QStringLiteral("not what was stored");
    otherFields.sinceMs = 7;
    std::optional<StoreOutcome> cleared;
    store.clearBlocks({otherFields, block(SessionBlock::Scope::Tenant, QStringLiteral("acme")),
                       block(SessionBlock::Scope::Session, QStringLiteral("missing"))},
                      entry(QStringLiteral("sessions.resume"), QStringLiteral("s-1, acme")),
                      [&](const StoreOutcome &o) { cleared = o; });
    QVERIFY(store.flush());
    QVERIFY(cleared.has_value());
    QVERIFY2(cleared->committed(), qPrintable(cleared->error));
    QCOMPARE(storedKeys(store.databasePath()),
             (QSet<QString>{QStringLiteral("session:s-2"), QStringLiteral("session:acme"), QStringLiteral("all:")}));
    {
        TestDatabase check(store.databasePath());
        QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 6);
        QCOMPARE(check.scalar(QStringLiteral("SELECT target FROM audit WHERE action = 'sessions.resume'")).toString(),
                 QStringLiteral("s-1, acme"));
    }

    // A cooldown that ran out: cleared with no audit row.
    bool committed = false;
    store.clearBlocks({all}, AuditEntry(), whenCommitted([&] { committed = true; }));
    QVERIFY(store.flush());
    QVERIFY(committed);
    QCOMPARE(storedKeys(store.databasePath()), (QSet<QString>{QStringLiteral("session:s-2"), QStringLiteral("session:acme")}));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 6);
}

void tst_UsageStoreBlocks::blockAndItsAuditAreOneTransaction()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    const SessionBlock kept = BlockSamples::block(2);
    store.saveBlock(kept, BlockSamples::audit(kept));
    QVERIFY(store.flush());
    {
        // The entry is in the table with the block, as written.
        UsageQuery query;
        QVERIFY2(query.open(store.databasePath(), &error), qPrintable(error));
        const QList<AuditEntry> audit = query.recentAudit(5);
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit.first().action, QStringLiteral("sessions.kill"));
        QCOMPARE(audit.first().target, kept.target);
        QCOMPARE(audit.first().actor, kept.actor);
        QCOMPARE(audit.first().after.toObject().value(QLatin1String("signal")).toString(), QStringLiteral("kill"));
    }
    {
        TestDatabase prepare(store.databasePath());
        QVERIFY(prepare.exec(QStringLiteral("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit "
                                            "WHEN NEW.target = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));
    }
    QSignalSpy dropped(&store, &UsageStore::jobDropped);
    QList<StoreOutcome> outcomes;
    const auto collect = [&outcomes](const StoreOutcome &o) { outcomes.append(o); };
    // Its audit entry refused, the block is not stored; the clear's refused, the block stays.
    store.saveBlock(block(SessionBlock::Scope::Session, QStringLiteral("agent-9")), entry(QStringLiteral("sessions.kill"), QStringLiteral("poison")), collect);
    store.clearBlocks({kept}, entry(QStringLiteral("sessions.resume"), QStringLiteral("poison")), collect);
    QVERIFY(store.flush());
    QCOMPARE(outcomes.size(), 2);
    for (const StoreOutcome &o : std::as_const(outcomes)) {
        QCOMPARE(o.status, StoreOutcome::Status::Refused);
        QVERIFY2(o.error.contains(QLatin1String("refused by the test")), qPrintable(o.error));
    }
    QVERIFY2(outcomes.at(0).error.contains(QLatin1String("session block session agent-9")), qPrintable(outcomes.at(0).error));
    QVERIFY2(outcomes.at(1).error.contains(QLatin1String("clearing 1 session blocks")), qPrintable(outcomes.at(1).error));
    QTRY_COMPARE(dropped.count(), 2);
    QVERIFY(store.isWritable());
    QCOMPARE(storedKeys(store.databasePath()), QSet<QString>{QStringLiteral("session:") + kept.target});
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 1);
}

void tst_UsageStoreBlocks::failingStoreRefusesBlocksAtOnce()
{
    QTemporaryDir dir;
    auto store = std::make_unique<UsageStore>();
    StoreOptions options;
    // A write waits up to 2 s for the lock; no retry comes during the test.
    options.busyTimeoutMs = 2000;
    options.retryInitialMs = 60'000;
    options.retryMaxMs = 60'000;
    store->setOptions(options);
    QString error;
    QVERIFY2(store->open(dir.path(), &error), qPrintable(error));
    const QString path = store->databasePath();
    QSignalSpy failed(store.get(), &UsageStore::writeFailed);

    auto locker = std::make_unique<TestDatabase>(path);
    QVERIFY(locker->exec(QStringLiteral("BEGIN IMMEDIATE")));
    std::optional<StoreOutcome> row;
    store->record(UsageSamples::sample(1), [&](const StoreOutcome &o) { row = o; });
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QTRY_VERIFY(row.has_value());
    QCOMPARE(row->status, StoreOutcome::Status::Held); // a usage row is held...
    QVERIFY(!store->isWritable());
    QVERIFY2(store->failure().contains(QLatin1String("locked")), qPrintable(store->failure()));

    // ... a block is refused, at once: well within one busy timeout, so no write was tried.
    QElapsedTimer clock;
    clock.start();
    std::optional<StoreOutcome> saved;
    std::optional<StoreOutcome> cleared;
    store->saveBlock(BlockSamples::block(3), BlockSamples::audit(BlockSamples::block(3)), [&](const StoreOutcome &o) { saved = o; });
    store->clearBlocks({BlockSamples::block(3)}, entry(QStringLiteral("sessions.resume"), BlockSamples::block(3).target),
                       [&](const StoreOutcome &o) { cleared = o; });
    QTRY_VERIFY(saved.has_value() && cleared.has_value());
    QVERIFY2(clock.elapsed() < options.busyTimeoutMs / 2, qPrintable(QString::number(clock.elapsed())));
    for (const StoreOutcome &o : {*saved, *cleared}) {
        QCOMPARE(o.status, StoreOutcome::Status::Refused);
        QVERIFY2(o.error.contains(store->failure()), qPrintable(o.error + QLatin1String(" / ") + store->failure()));
    }
    QVERIFY2(saved->error.startsWith(QStringLiteral("session block session %1 was not stored: ").arg(BlockSamples::block(3).target)),
             qPrintable(saved->error));
    QCOMPARE(store->pending(), 1); // only the held row

    // Once the lock is gone, the held row is written (at the latest when the store closes); the
    // refused block never is.
    QVERIFY(locker->exec(QStringLiteral("ROLLBACK")));
    locker.reset();
    store.reset();
    TestDatabase check(path);
    QCOMPARE(check.requestCount(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM session_blocks")).toInt(), 0);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toInt(), 0);
}

void tst_UsageStoreBlocks::killedProcessKeepsCommittedBlocks()
{
    QTemporaryDir dir;
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QStringLiteral(USAGE_STORE_CHILD), {dir.path(), QStringLiteral("10000000"), QStringLiteral("blocks")});
    QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));

    // Kill it right after a callback, while it keeps saving blocks.
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    while (output.count('\n') < 500 && clock.elapsed() < 60000 && child.state() == QProcess::Running) {
        child.waitForReadyRead(100);
        output += child.readAllStandardOutput();
    }
    QVERIFY2(child.state() == QProcess::Running, child.readAllStandardError().constData());
    child.kill(); // SIGKILL: no destructor, no flush, no atexit
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    output += child.readAllStandardOutput();
    QList<QByteArray> lines = output.split('\n');
    lines.removeLast(); // only whole lines count: the last one may have been cut by the kill
    QVERIFY(lines.size() >= 500);

    const QString path = UsageStore::databasePathIn(dir.path());
    qint64 stored = 0;
    {
        TestDatabase check(path);
        QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        const QSet<QString> targets = check.strings(QStringLiteral("SELECT target FROM session_blocks"));
        int missing = 0;
        for (const QByteArray &line : std::as_const(lines))
            missing += targets.contains(QString::fromLatin1(line)) ? 0 : 1;
        QCOMPARE(missing, 0);
        stored = targets.size();
        QVERIFY(stored < 10000000); // it really was killed mid-stream
        // Every stored block has its audit entry, and no entry is without its block.
        QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM audit")).toLongLong(), stored);
        QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM session_blocks AS b WHERE NOT EXISTS "
                                             "(SELECT 1 FROM audit AS a WHERE a.target = b.target)")).toInt(), 0);
    }
    qInfo("child printed %lld committed blocks, %lld blocks on disk after SIGKILL", qlonglong(lines.size()), stored);

    // The next start hands them all back, each as it was saved.
    const StoreStartupState state = reopenAndLoad(dir.path());
    QCOMPARE(qint64(state.blocks.size()), stored);
    for (const SessionBlock &b : state.blocks) {
        const int n = b.target.section(QLatin1Char('-'), 1).toInt();
        compareBlocks(b, BlockSamples::block(n));
    }
}

QTEST_GUILESS_MAIN(tst_UsageStoreBlocks)
#include "tst_UsageStoreBlocks.moc"
