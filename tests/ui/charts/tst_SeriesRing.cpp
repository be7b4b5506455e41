#include "charts/SeriesRing.h"

#include <QTest>

// The one-second ring behind every live chart: sums and peaks within a second, seconds that
// wrap around the window, and ranges read out as a few hundred points.
class tst_SeriesRing : public QObject
{
    Q_OBJECT
private slots:
    void bucketsOneSecond_data();
    void bucketsOneSecond();
    void wrapsAround();
    void ignoresSecondsOlderThanTheWindow();
    void aggregatesRanges_data();
    void aggregatesRanges();
    void weightedMeans();
    void clearsAChannel();
};

namespace {
constexpr qint64 S0 = 1'700'000'000; // a second since the epoch
using Writes = QList<QPair<qint64, double>>; // (second offset, value)
}

void tst_SeriesRing::bucketsOneSecond_data()
{
    QTest::addColumn<bool>("peak");
    QTest::addColumn<Writes>("writes");
    QTest::addColumn<double>("second0");
    QTest::addColumn<double>("second1");
    QTest::addColumn<double>("second2");
    // Four snapshots a second: their deltas add up in the second they fall in.
    QTest::newRow("sums") << false << Writes{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 5}} << 10.0 << 5.0 << 0.0;
    QTest::newRow("peaks") << true << Writes{{0, 120}, {0, 80}, {1, 300}, {1, 299}} << 120.0 << 300.0 << -1.0;
    QTest::newRow("gap reads empty") << false << Writes{{0, 1}, {2, 7}} << 1.0 << 0.0 << 7.0;
    QTest::newRow("late snapshot counts in its own second") << false << Writes{{1, 2}, {0, 3}} << 3.0 << 2.0 << 0.0;
}

void tst_SeriesRing::bucketsOneSecond()
{
    QFETCH(bool, peak);
    QFETCH(Writes, writes);
    SeriesRing ring(2, 60);
    ring.setMode(1, peak ? SeriesRing::Mode::Max : SeriesRing::Mode::Sum);
    for (const auto &w : writes)
        ring.add(S0 + w.first, 1, w.second);
    QTEST(ring.value(S0, 1), "second0");
    QTEST(ring.value(S0 + 1, 1), "second1");
    QTEST(ring.value(S0 + 2, 1), "second2");
    QCOMPARE(ring.value(S0, 0), 0.0); // the other channel untouched
}

void tst_SeriesRing::wrapsAround()
{
    SeriesRing ring(1, 10);
    for (int s = 0; s < 25; ++s)
        ring.add(S0 + s, 0, double(s));
    QCOMPARE(ring.latestSecond(), S0 + 24);
    // Only the last ten seconds are held; the slots of older ones were recycled.
    for (int s = 15; s < 25; ++s)
        QCOMPARE(ring.value(S0 + s, 0), double(s));
    QCOMPARE(ring.value(S0 + 14, 0), 0.0);
    QVERIFY(!ring.holds(S0 + 5));
    // A jump of more than the window: everything held is out of it.
    ring.add(S0 + 100, 0, 1.0);
    for (int s = 15; s < 25; ++s)
        QCOMPARE(ring.value(S0 + s, 0), 0.0);
    QCOMPARE(ring.total(S0, S0 + 100, 0), 1.0);
}

void tst_SeriesRing::ignoresSecondsOlderThanTheWindow()
{
    SeriesRing ring(1, 10);
    ring.add(S0 + 20, 0, 1.0);
    ring.add(S0 + 5, 0, 99.0); // would land in a live slot's place
    QCOMPARE(ring.value(S0 + 5, 0), 0.0);
    QCOMPARE(ring.value(S0 + 15, 0), 0.0);
    QCOMPARE(ring.value(S0 + 20, 0), 1.0);
}

void tst_SeriesRing::aggregatesRanges_data()
{
    QTest::addColumn<int>("span");
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("perPoint");
    QTest::addColumn<int>("expectedPoints");
    QTest::addColumn<double>("firstValue");
    // Every second holds 6 (Sum): a mean per second stays 6 at any grouping.
    QTest::newRow("5 min at 1 s") << 300 << 300 << 1 << 300 << 6.0;
    QTest::newRow("15 min at 3 s") << 900 << 300 << 3 << 300 << 6.0;
    QTest::newRow("60 min at 12 s") << 3600 << 300 << 12 << 300 << 6.0;
    QTest::newRow("uneven: last group shorter") << 10 << 4 << 3 << 4 << 6.0;
}

void tst_SeriesRing::aggregatesRanges()
{
    QFETCH(int, span);
    QFETCH(int, points);
    QFETCH(int, perPoint);
    SeriesRing ring(2, 3600);
    ring.setMode(1, SeriesRing::Mode::Max);
    for (int s = 0; s < span; ++s) {
        ring.add(S0 + s, 0, 6.0);
        ring.add(S0 + s, 1, double(s));
    }
    QCOMPARE(SeriesRing::secondsPerPoint(S0, S0 + span - 1, points), perPoint);
    const QList<double> sums = ring.aggregate(S0, S0 + span - 1, points, 0);
    QTEST(int(sums.size()), "expectedPoints");
    for (const double v : sums)
        QCOMPARE(v, 6.0);
    // Peaks: each group's largest second.
    const QList<double> peaks = ring.aggregate(S0, S0 + span - 1, points, 1);
    QCOMPARE(peaks.first(), double(perPoint - 1));
    QCOMPARE(peaks.last(), double(span - 1));
}

void tst_SeriesRing::weightedMeans()
{
    SeriesRing ring(2, 60);
    // Second 0: 3 requests at p50 100 ms, then 1 at 500 ms; second 1 idle; second 2: 1 at 200 ms.
    ring.add(S0, 0, 3 * 100.0);
    ring.add(S0, 1, 3);
    ring.add(S0, 0, 1 * 500.0);
    ring.add(S0, 1, 1);
    ring.add(S0 + 2, 0, 200.0);
    ring.add(S0 + 2, 1, 1);
    QCOMPARE(ring.aggregateRatio(S0, S0 + 2, 3, 0, 1), (QList<double>{200.0, -1.0, 200.0}));
    // One point over all three seconds: (300 + 500 + 200) / 5 requests.
    QCOMPARE(ring.aggregateRatio(S0, S0 + 2, 1, 0, 1), QList<double>{200.0});
}

void tst_SeriesRing::clearsAChannel()
{
    SeriesRing ring(2, 10);
    ring.add(S0, 0, 1.0);
    ring.add(S0, 1, 2.0);
    ring.clearChannel(0);
    QCOMPARE(ring.value(S0, 0), 0.0);
    QCOMPARE(ring.value(S0, 1), 2.0);
}

QTEST_APPLESS_MAIN(tst_SeriesRing)
#include "tst_SeriesRing.moc"
