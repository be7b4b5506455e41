#include "charts/RateHistory.h"

#include <QTest>

class tst_RateHistory : public QObject
{
    Q_OBJECT
private slots:
    void bucketsBySecond();
    void fillsGapsWithZeros();
    void longGapClears();
    void staysBounded();
    void backwardsTimeCountsIntoOpenSecond();
    void averages();
};

namespace {
constexpr qint64 T0 = 1'700'000'000'000; // a whole second
}

void tst_RateHistory::bucketsBySecond()
{
    RateHistory history(10);
    history.addSample(T0 + 100, 1, 10);
    history.addSample(T0 + 600, 2, 20);
    QCOMPARE(history.size(), 0); // the first second is still open
    const quint64 before = history.revision();
    history.addSample(T0 + 1100, 4, 40);
    QCOMPARE(history.size(), 1);
    QVERIFY(history.revision() != before);
    QCOMPARE(history.at(0).second, T0 / 1000);
    QCOMPARE(history.at(0).requests, 3);
    QCOMPARE(history.at(0).tokens, 30);
    QCOMPARE(history.openSecond(), T0 / 1000 + 1);
}

void tst_RateHistory::fillsGapsWithZeros()
{
    RateHistory history(10);
    history.addSample(T0, 1, 10);
    history.addSample(T0 + 3000, 1, 10);
    QCOMPARE(history.size(), 3);
    QCOMPARE(history.at(0).requests, 1);
    QCOMPARE(history.at(1).requests, 0);
    QCOMPARE(history.at(2).requests, 0);
    QCOMPARE(history.at(2).second, T0 / 1000 + 2);
}

void tst_RateHistory::longGapClears()
{
    RateHistory history(10);
    history.addSample(T0, 1, 10);
    history.addSample(T0 + 1000, 1, 10);
    QCOMPARE(history.size(), 1);
    history.addSample(T0 + 60'000, 5, 50);
    QCOMPARE(history.size(), 0);
    QCOMPARE(history.openSecond(), T0 / 1000 + 60);
}

void tst_RateHistory::staysBounded()
{
    RateHistory history(300);
    for (int i = 0; i < 5000; ++i)
        history.addSample(T0 + i * 250, 1, 100);
    QCOMPARE(history.capacity(), 300);
    QCOMPARE(history.size(), 300);
    // Oldest first, consecutive, ending just before the open second.
    QCOMPARE(history.at(299).second, history.openSecond() - 1);
    QCOMPARE(history.at(0).second, history.openSecond() - 300);
    QCOMPARE(history.at(150).requests, 4);
}

void tst_RateHistory::backwardsTimeCountsIntoOpenSecond()
{
    RateHistory history(10);
    history.addSample(T0 + 5000, 1, 10);
    history.addSample(T0, 2, 20);
    history.addSample(T0 + 6000, 0, 0);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.at(0).requests, 3);
}

void tst_RateHistory::averages()
{
    RateHistory history(60);
    QCOMPARE(history.requestsPerSecond(5), 0.0);
    for (int s = 0; s < 10; ++s)
        history.addSample(T0 + s * 1000, s, s * 100);
    history.addSample(T0 + 10'000, 0, 0);
    // Last five completed seconds carried 5..9 requests.
    QCOMPARE(history.requestsPerSecond(5), 7.0);
    QCOMPARE(history.tokensPerSecond(5), 700.0);
    // Asking for more than is held averages what is there.
    QCOMPARE(history.requestsPerSecond(100), 4.5);
}

QTEST_GUILESS_MAIN(tst_RateHistory)
#include "tst_RateHistory.moc"
