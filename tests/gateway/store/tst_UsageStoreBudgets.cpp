// UsageStore's budget side: reservations, spend counters, settlement in one transaction, and
// start-up recovery that settles what a killed process left open at its worst case.
#include "StoreCallbacks.h"
#include "BudgetSamples.h"
#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/StoreSchema.h"
#include "store/SqliteConnection.h"
#include "store/UsageStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

class tst_UsageStoreBudgets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reservationIsStoredBeforeItsCallback();
    void holdsRoundTrip();
    void recordSettlesReservationAndAddsSpend();
    void spendOnOneCounterAddsUp();
    void negativeDeltaDoesNotLowerSpend();
    void recordingAnIdTwiceCountsSpendOnce();
    void reserveAfterItsRowIsIgnored();
    void recordWithoutSpendStillSettles();
    void refusedRecordKeepsItsReservation();
    void recoverySettlesLeftoversAtWorst();
    void recoveryOnACleanStoreChangesNothing();
    void recoveryRefusedOnceWritingHasBegun();
    void versionOneStoreOpensWithItsRows();
    void mixedJobsAreGroupCommitted();
    void killedProcessIsSettledAtWorst();

private:
    static bool openStore(UsageStore &store, const QTemporaryDir &dir);
};

bool tst_UsageStoreBudgets::openStore(UsageStore &store, const QTemporaryDir &dir)
{
    QString error;
    if (!store.open(dir.path(), &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return true;
}

void tst_UsageStoreBudgets::reservationIsStoredBeforeItsCallback()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    const ReservationRecord r = BudgetSamples::reservation(3);
    const QString path = store.databasePath();
    int calls = 0;
    qint64 seen = -1;
    QString holds;
    store.reserve(r, [&](const StoreOutcome &outcome) {
        QVERIFY(outcome.committed());
        ++calls;
        TestDatabase independent(path);
        seen = independent.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations WHERE request_id = ?"), {r.requestId}).toLongLong();
        holds = independent.scalar(QStringLiteral("SELECT holds FROM reservations")).toString();
    });
    QCOMPARE(calls, 0); // reserve() never waits for the disk
    QTRY_COMPARE(calls, 1);
    QCOMPARE(seen, 1);
    // Readable with sqlite3's JSON functions, in the documented shape.
    const QJsonArray array = QJsonDocument::fromJson(holds.toUtf8()).array();
    QCOMPARE(array.size(), 3);
    const QJsonObject first = array.first().toObject();
    QCOMPARE(first.value(QLatin1String("rule")).toString(), QStringLiteral("tenant|*|day"));
    QCOMPARE(first.value(QLatin1String("subject")).toString(), r.tenant);
    QCOMPARE(first.value(QLatin1String("window_start")).toInteger(), BudgetSamples::dayStart());
    QCOMPARE(first.value(QLatin1String("tokens")).toInteger(), r.worstPromptTokens + r.worstCompletionTokens);
    QCOMPARE(first.value(QLatin1String("cost_micros")).toInteger(), r.worstCostMicros);
    QCOMPARE(first.value(QLatin1String("requests")).toInteger(), 1);

    TestDatabase check(path);
    QCOMPARE(check.scalar(QStringLiteral("SELECT json_extract(holds, '$[2].rule') FROM reservations")).toString(),
             QStringLiteral("global|*|total"));
    QCOMPARE(check.scalar(QStringLiteral("SELECT worst_cost_micros FROM reservations")).toLongLong(), r.worstCostMicros);
    QCOMPARE(check.counters().size(), 0); // holds are not spend until settled
}

void tst_UsageStoreBudgets::holdsRoundTrip()
{
    // Recovery reads holds back from JSON: 64-bit amounts and any text must survive exactly.
    QTemporaryDir dir;
    CounterTotals expected;
    {
        UsageStore store;
        QVERIFY(openStore(store, dir));
        QString error;
        store.recoverAndLoad(1, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        ReservationRecord r = BudgetSamples::reservation(1);
        r.holds = {{{QStringLiteral("session|agent-*|day"), QStringLiteral("sessão «x» \"quoted\" 🚀"), 4'102'444'800'000},
                    9'007'199'254'740'993, 4'000'000'000'000'000'001, 1}};
        expected = r.holds.first();
        store.reserve(r);
        QVERIFY(store.flush());
    }
    UsageStore store;
    QVERIFY(openStore(store, dir));
    QString error;
    const StoreStartupState state = store.recoverAndLoad(2, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(state.reservationsSettledAtWorst, 1);
    QCOMPARE(state.counters.size(), 1);
    const CounterTotals &c = state.counters.first();
    QCOMPARE(c.key, expected.key);
    QCOMPARE(c.tokens, expected.tokens);
    QCOMPARE(c.costMicros, expected.costMicros);
    QCOMPARE(c.requests, 1);
}

void tst_UsageStoreBudgets::recordSettlesReservationAndAddsSpend()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    const UsageRecord row = UsageSamples::sample(5);
    store.reserve(BudgetSamples::reservation(5));
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 1);

    bool committed = false;
    store.record(row, BudgetSamples::spend(5), whenCommitted([&] { committed = true; }));
    QTRY_VERIFY(committed);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    compareRecords(*check.request(row.id), row);
    QHash<CounterKey, CounterTotals> expected;
    BudgetSamples::add(expected, BudgetSamples::spend(5));
    compareCounters(check.counters(), expected);
    const qint64 updatedAt = check.scalar(QStringLiteral("SELECT MIN(updated_at) FROM budget_counters")).toLongLong();
    QVERIFY(qAbs(updatedAt - QDateTime::currentMSecsSinceEpoch()) < 60'000);
}

void tst_UsageStoreBudgets::spendOnOneCounterAddsUp()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    const CounterKey day{QStringLiteral("tenant|*|day"), QStringLiteral("acme"), BudgetSamples::dayStart()};
    const CounterKey nextDay{day.rule, day.subject, day.windowStart + 86'400'000};
    store.record(UsageSamples::sample(1), {{day, 100, 2000, 1}});
    store.record(UsageSamples::sample(2), {{day, 250, 3500, 1}, {nextDay, 7, 70, 1}});
    QVERIFY(store.flush());
    store.record(UsageSamples::sample(3), {{day, 1, 1, 1}}); // a later transaction adds on too
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    compareCounters(check.counters(), {{day, {day, 351, 5501, 3}}, {nextDay, {nextDay, 7, 70, 1}}});
}

void tst_UsageStoreBudgets::negativeDeltaDoesNotLowerSpend()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    const CounterKey key{QStringLiteral("global|*|total"), QString(), 0};
    store.record(UsageSamples::sample(1), {{key, 1000, 50'000, 1}});
    store.record(UsageSamples::sample(2), {{key, -400, -20'000, -1}});
    store.record(UsageSamples::sample(3), {{key, -1, 5, 1}});
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    compareCounters(check.counters(), {{key, {key, 1000, 50'005, 2}}});
    QCOMPARE(check.requestCount(), 3); // the rows are stored all the same
}

void tst_UsageStoreBudgets::recordingAnIdTwiceCountsSpendOnce()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    UsageRecord row = UsageSamples::sample(1);
    store.record(row, BudgetSamples::spend(1));
    QVERIFY(store.flush());
    row.completionTokens += 5;
    store.record(row, BudgetSamples::spend(1)); // same id, another transaction
    store.record(row, BudgetSamples::spend(1)); // and twice within one
    QVERIFY(store.flush());
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 1);
    compareRecords(*check.request(row.id), row);
    QHash<CounterKey, CounterTotals> expected;
    BudgetSamples::add(expected, BudgetSamples::spend(1));
    compareCounters(check.counters(), expected);
}

void tst_UsageStoreBudgets::reserveAfterItsRowIsIgnored()
{
    // Otherwise recovery would settle a request a second time.
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    QString error;
    store.recoverAndLoad(1, &error);
    store.record(UsageSamples::sample(1), BudgetSamples::spend(1));
    bool committed = false;
    store.reserve(BudgetSamples::reservation(1), whenCommitted([&] { committed = true; }));
    QVERIFY(store.flush());
    QVERIFY(committed);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
}

void tst_UsageStoreBudgets::recordWithoutSpendStillSettles()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    store.reserve(BudgetSamples::reservation(1));
    bool committed = false;
    store.record(UsageSamples::sample(1), whenCommitted([&] { committed = true; }));
    QVERIFY(store.flush());
    QVERIFY(committed);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), 1);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    QCOMPARE(check.counters().size(), 0);
}

void tst_UsageStoreBudgets::refusedRecordKeepsItsReservation()
{
    // Row, spend and settlement are one: when SQLite refuses the row, none of it is stored and the
    // reservation stays, to be settled at worst by the next start.
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    {
        TestDatabase prepare(store.databasePath());
        QVERIFY(prepare.exec(QStringLiteral("CREATE TRIGGER refuse_poison BEFORE INSERT ON requests "
                                            "WHEN NEW.model = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")));
    }
    QSignalSpy failed(&store, &UsageStore::jobDropped);
    UsageRecord poison = UsageSamples::sample(1);
    poison.model = QStringLiteral("poison");
    bool poisonCommitted = false;
    bool otherCommitted = false;
    store.reserve(BudgetSamples::reservation(1));
    store.reserve(BudgetSamples::reservation(2));
    store.record(poison, BudgetSamples::spend(1), whenCommitted([&] { poisonCommitted = true; }));
    store.record(UsageSamples::sample(2), BudgetSamples::spend(2), whenCommitted([&] { otherCommitted = true; }));
    QVERIFY(store.flush());
    QVERIFY(!poisonCommitted);
    QVERIFY(otherCommitted);
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains(QLatin1String("usage row req-00000001")),
             qPrintable(failed.first().first().toString()));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.strings(QStringLiteral("SELECT request_id FROM reservations")), QSet<QString>{poison.id});
    QHash<CounterKey, CounterTotals> expected;
    BudgetSamples::add(expected, BudgetSamples::spend(2));
    compareCounters(check.counters(), expected);
}

void tst_UsageStoreBudgets::recoverySettlesLeftoversAtWorst()
{
    QTemporaryDir dir;
    const qint64 now = 1'741'700'000'000;
    QHash<CounterKey, CounterTotals> expected;
    {
        UsageStore store;
        QVERIFY(openStore(store, dir));
        QString error;
        store.recoverAndLoad(now - 1000, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (int n = 0; n < 6; ++n)
            store.reserve(BudgetSamples::reservation(n));
        for (int n : {1, 3}) {
            store.record(UsageSamples::sample(n), BudgetSamples::spend(n));
            BudgetSamples::add(expected, BudgetSamples::spend(n));
        }
        QVERIFY(store.flush());
    } // the process "ends" with 0, 2, 4 and 5 still reserved
    for (int n : {0, 2, 4, 5})
        BudgetSamples::add(expected, BudgetSamples::reservation(n).holds);

    UsageStore store;
    QVERIFY(openStore(store, dir));
    QString error;
    const StoreStartupState state = store.recoverAndLoad(now, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(state.reservationsSettledAtWorst, 4);
    compareCounters(BudgetSamples::byKey(state.counters), expected);
    if (QTest::currentTestFailed())
        return;

    TestDatabase check(store.databasePath());
    compareCounters(check.counters(), expected);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    QCOMPARE(check.requestCount(), 6);
    QCOMPARE(check.strings(QStringLiteral("SELECT id FROM requests WHERE error = 'interrupted'")),
             (QSet<QString>{UsageSamples::sample(0).id, UsageSamples::sample(2).id, UsageSamples::sample(4).id,
                            UsageSamples::sample(5).id}));
    const ReservationRecord r = BudgetSamples::reservation(4);
    const UsageRecord row = *check.request(r.requestId);
    QCOMPARE(row.startedAt, r.createdAt);
    QCOMPARE(row.endedAt, now);
    QCOMPARE(row.tenant, r.tenant);
    QCOMPARE(row.session, r.session);
    QCOMPARE(row.model, r.model);
    QCOMPARE(row.endpoint, r.endpoint);
    QCOMPARE(row.status, 0);
    QCOMPARE(row.promptTokens, r.worstPromptTokens);
    QCOMPARE(row.completionTokens, r.worstCompletionTokens);
    QCOMPARE(row.costMicros, r.worstCostMicros);
    QCOMPARE(row.currency, r.currency);
    QCOMPARE(row.error, QStringLiteral("interrupted"));
    QVERIFY(row.estimated);
    QCOMPARE(check.request(UsageSamples::sample(3).id)->error, QString()); // settled rows are untouched
}

void tst_UsageStoreBudgets::recoveryOnACleanStoreChangesNothing()
{
    QTemporaryDir dir;
    {
        UsageStore store;
        QVERIFY(openStore(store, dir));
        store.reserve(BudgetSamples::reservation(1));
        store.record(UsageSamples::sample(1), BudgetSamples::spend(1));
        QVERIFY(store.flush());
    }
    for (int start = 0; start < 2; ++start) {
        UsageStore store;
        QVERIFY(openStore(store, dir));
        QString error;
        const StoreStartupState state = store.recoverAndLoad(1'741'700'000'000, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(state.reservationsSettledAtWorst, 0);
        QHash<CounterKey, CounterTotals> expected;
        BudgetSamples::add(expected, BudgetSamples::spend(1));
        compareCounters(BudgetSamples::byKey(state.counters), expected);
        TestDatabase check(store.databasePath());
        QCOMPARE(check.requestCount(), 1);
    }
}

void tst_UsageStoreBudgets::recoveryRefusedOnceWritingHasBegun()
{
    // A reservation of this very process would otherwise be settled as a leftover.
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    store.recoverAndLoad(1, &error);
    QVERIFY2(error.contains(QLatin1String("not open")), qPrintable(error));
    QVERIFY(openStore(store, dir));
    store.reserve(BudgetSamples::reservation(1));
    QVERIFY(store.flush());
    error.clear();
    const StoreStartupState state = store.recoverAndLoad(2, &error);
    QVERIFY2(error.contains(QLatin1String("before anything is written")), qPrintable(error));
    QCOMPARE(state.reservationsSettledAtWorst, 0);
    TestDatabase check(store.databasePath());
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 1);
}

void tst_UsageStoreBudgets::versionOneStoreOpensWithItsRows()
{
    QTemporaryDir dir;
    const QString path = UsageStore::databasePathIn(dir.path());
    {
        SqliteConnection connection(QStringLiteral("v1"));
        QString error;
        QVERIFY2(connection.open(path, SqliteConnection::Mode::ReadWrite, StoreOptions(), &error), qPrintable(error));
        QVERIFY2(StoreSchema::migrate(connection, StoreSchema::migrations().mid(0, 1), &error), qPrintable(error));
    }
    {
        // Rows as a version-1 store wrote them.
        TestDatabase prepare(path);
        for (int n = 0; n < 20; ++n) {
            const UsageRecord row = UsageSamples::sample(n);
            QVERIFY(prepare.exec(QStringLiteral("INSERT INTO requests (id, started_at, ended_at, tenant, cost_micros) "
                                                "VALUES ('%1', %2, %3, '%4', %5)")
                                     .arg(row.id).arg(row.startedAt).arg(row.endedAt).arg(row.tenant).arg(row.costMicros)));
        }
        QCOMPARE(prepare.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 1);
    }
    UsageStore store;
    QVERIFY(openStore(store, dir));
    QString error;
    const StoreStartupState state = store.recoverAndLoad(1, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(state.counters.isEmpty());
    QVERIFY(!state.hasBudgetRules);
    store.record(UsageSamples::sample(100), BudgetSamples::spend(100));
    QVERIFY(store.flush());
    TestDatabase check(path);
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA user_version")).toInt(), StoreSchema::latestVersion());
    QCOMPARE(check.requestCount(), 21);
    QCOMPARE(check.request(UsageSamples::sample(7).id)->costMicros, UsageSamples::sample(7).costMicros);
    QCOMPARE(check.counters().size(), 3);
}

void tst_UsageStoreBudgets::mixedJobsAreGroupCommitted()
{
    QTemporaryDir dir;
    UsageStore store;
    QVERIFY(openStore(store, dir));
    constexpr int requests = 2000;
    QHash<CounterKey, CounterTotals> expected;
    int committed = 0;
    for (int n = 0; n < requests; ++n) {
        store.reserve(BudgetSamples::reservation(n), whenCommitted([&committed] { ++committed; }));
        store.record(UsageSamples::sample(n), BudgetSamples::spend(n), whenCommitted([&committed] { ++committed; }));
        BudgetSamples::add(expected, BudgetSamples::spend(n));
    }
    QTRY_COMPARE_WITH_TIMEOUT(committed, 2 * requests, 60000);
    QCOMPARE(store.pending(), 0);
    const qint64 batches = store.batchesCommitted();
    qInfo("%d reserve + record pairs in %lld transactions", requests, batches);
    QVERIFY2(batches <= 2 * requests / 10, qPrintable(QString::number(batches)));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), requests);
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    compareCounters(check.counters(), expected);
}

void tst_UsageStoreBudgets::killedProcessIsSettledAtWorst()
{
    QTemporaryDir dir;
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    child.start(QStringLiteral(USAGE_STORE_CHILD), {dir.path(), QStringLiteral("10000000"), QStringLiteral("budgets")});
    QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));

    // Wait until many settlements are committed, then kill it while it keeps reserving and settling.
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    while (output.count("\nS ") < 2000 && clock.elapsed() < 60000 && child.state() == QProcess::Running) {
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
    QSet<QString> printedReserved;
    QSet<QString> printedSettled;
    for (const QByteArray &line : std::as_const(lines))
        (line.startsWith("S ") ? printedSettled : printedReserved).insert(QString::fromLatin1(line.mid(2)));
    QVERIFY(printedSettled.size() >= 2000);

    const QString path = UsageStore::databasePathIn(dir.path());
    QSet<QString> open;
    QSet<QString> settled;
    {
        TestDatabase check(path);
        QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        open = check.strings(QStringLiteral("SELECT request_id FROM reservations"));
        settled = check.strings(QStringLiteral("SELECT id FROM requests"));
        // Never both: a settled request has no reservation left.
        QVERIFY(!open.intersects(settled));
        // Never neither: every acknowledged reservation is still open or settled, every
        // acknowledged settlement is stored.
        QVERIFY((printedReserved - (open + settled)).isEmpty());
        QVERIFY((printedSettled - settled).isEmpty());
        // Row and spend commit together: the counters hold exactly the stored rows' spend.
        QHash<CounterKey, CounterTotals> spent;
        for (const QString &id : std::as_const(settled))
            BudgetSamples::add(spent, BudgetSamples::spend(BudgetSamples::number(id)));
        compareCounters(check.counters(), spent);
        if (QTest::currentTestFailed())
            return;
    }
    qInfo("child acknowledged %lld reservations and %lld settlements; after SIGKILL %lld rows and %lld open reservations",
          qlonglong(printedReserved.size()), qlonglong(printedSettled.size()), qlonglong(settled.size()), qlonglong(open.size()));
    QVERIFY(!open.isEmpty());

    QHash<CounterKey, CounterTotals> expected;
    for (const QString &id : std::as_const(settled))
        BudgetSamples::add(expected, BudgetSamples::spend(BudgetSamples::number(id)));
    for (const QString &id : std::as_const(open))
        BudgetSamples::add(expected, BudgetSamples::reservation(BudgetSamples::number(id)).holds);

    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    const StoreStartupState state = store.recoverAndLoad(QDateTime::currentMSecsSinceEpoch(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(state.reservationsSettledAtWorst, int(open.size()));
    compareCounters(BudgetSamples::byKey(state.counters), expected);
    if (QTest::currentTestFailed())
        return;

    TestDatabase check(path);
    compareCounters(check.counters(), expected);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(check.scalar(QStringLiteral("SELECT COUNT(*) FROM reservations")).toInt(), 0);
    QCOMPARE(check.strings(QStringLiteral("SELECT id FROM requests WHERE error = 'interrupted' AND status = 0 "
                                          "AND estimated = 1")), open);
    QCOMPARE(check.requestCount(), qint64(open.size() + settled.size()));
    QCOMPARE(check.scalar(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

QTEST_GUILESS_MAIN(tst_UsageStoreBudgets)
#include "tst_UsageStoreBudgets.moc"
