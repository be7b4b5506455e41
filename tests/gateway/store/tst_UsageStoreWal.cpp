#include "BudgetSamples.h"
#include "StoreCallbacks.h"
#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>

// The WAL under sustained load: it must stay bounded while commits keep coming and readers read.
class tst_UsageStoreWal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walStaysBoundedUnderSustainedWrites();
};

void tst_UsageStoreWal::walStaysBoundedUnderSustainedWrites()
{
    QTemporaryDir dir;
    UsageStore store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    const QString wal = store.databasePath() + QStringLiteral("-wal");

    // Readers as the console and the admin API hold them: open read-only connections, reading
    // the newest rows and the totals several times a second while the writer commits.
    UsageQuery console;
    UsageQuery admin;
    QVERIFY2(console.open(store.databasePath(), &error), qPrintable(error));
    QVERIFY2(admin.open(store.databasePath(), &error), qPrintable(error));
    QTimer readers;
    int reads = 0;
    connect(&readers, &QTimer::timeout, this, [&] {
        console.recent(50);
        admin.totals(0, std::numeric_limits<qint64>::max());
        ++reads;
    });
    readers.start(20);

    // Requests as the proxy makes them: a reservation, then the row with its spend, 32 at once,
    // each finished request replaced by a new one at once (a closed loop at full speed).
    const int total = 20000;
    const int window = 32;
    int started = 0;
    int finished = 0;
    qint64 largestWal = 0;
    std::function<void()> startOne = [&] {
        const int n = started++;
        store.reserve(BudgetSamples::reservation(n), [&, n](const StoreOutcome &reserved) {
            QVERIFY2(reserved.committed(), qPrintable(reserved.error));
            store.record(UsageSamples::sample(n), BudgetSamples::spend(n), [&](const StoreOutcome &recorded) {
                QVERIFY2(recorded.committed(), qPrintable(recorded.error));
                ++finished;
                largestWal = std::max(largestWal, QFileInfo(wal).size());
                if (started < total)
                    startOne();
            });
        });
    };
    for (int i = 0; i < window; ++i)
        startOne();
    QTRY_COMPARE_WITH_TIMEOUT(finished, total, 180000);
    readers.stop();
    QVERIFY(reads > 0);
    qInfo("largest WAL seen: %lld bytes over %d requests", largestWal, total);

    // Without checkpoints that complete this reaches hundreds of MB (371 MB here before the fix);
    // the bound is a few times the checkpoint threshold (StoreOptions::walCheckpointBytes), with
    // room for a machine so loaded that the checkpoints run late (21 MB was seen at load 15).
    const qint64 bound = 8 * store.options().walCheckpointBytes;
    QVERIFY2(largestWal < bound, qPrintable(QStringLiteral("the WAL reached %1 bytes (bound %2) over %3 requests")
                                                .arg(largestWal).arg(bound).arg(total)));
    TestDatabase check(store.databasePath());
    QCOMPARE(check.requestCount(), total);
}

QTEST_GUILESS_MAIN(tst_UsageStoreWal)
#include "tst_UsageStoreWal.moc"
