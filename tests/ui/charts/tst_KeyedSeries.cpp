#include "charts/KeyedSeries.h"

#include <QTest>

// Series keys that come and go: ranking a range's top keys, folding the rest into "other", and
// the bound on how many keys are held.
class tst_KeyedSeries : public QObject
{
    Q_OBJECT
private slots:
    void ranksByTheRangeAndFoldsTheRest();
    void aKeyWithNoRoomCountsAsOther();
    void aKeyGoneForTheWholeWindowGivesUpItsChannels();
};

namespace {
constexpr qint64 S0 = 1'700'000'000;
enum { Tokens, Cost };
}

void tst_KeyedSeries::ranksByTheRangeAndFoldsTheRest()
{
    KeyedSeries series(2, 8, 60);
    // Early on "a" spends most; lately "b" does, and "c" only has tokens (a free model).
    series.add(S0, QStringLiteral("a"), Cost, 100);
    series.add(S0 + 10, QStringLiteral("b"), Cost, 50);
    series.add(S0 + 10, QStringLiteral("c"), Tokens, 7);
    series.add(S0 + 10, QStringLiteral("other"), Tokens, 3);
    bool rest = false;
    QCOMPARE(series.top(S0, S0 + 10, Cost, Tokens, 3, &rest), (QStringList{"a", "b", "c"}));
    QVERIFY(rest); // the gateway's own "other" had data
    QCOMPARE(series.top(S0 + 5, S0 + 10, Cost, Tokens, 3, &rest), (QStringList{"b", "c"}));
    QCOMPARE(series.top(S0, S0 + 10, Cost, Tokens, 1, &rest), QStringList{"a"});
    QVERIFY(rest);
    // The rest over one point of 11 seconds: c's 7 and other's 3 tokens.
    QCOMPARE(series.aggregateRest(S0, S0 + 10, 1, {"a", "b"}, Tokens), QList<double>{10.0 / 11.0});
    QCOMPARE(series.aggregate(S0 + 10, S0 + 10, 1, QStringLiteral("b"), Cost), QList<double>{50.0});
    QVERIFY(series.aggregate(S0, S0, 1, QStringLiteral("nobody"), Cost).isEmpty());
}

void tst_KeyedSeries::aKeyWithNoRoomCountsAsOther()
{
    KeyedSeries series(1, 3, 60); // "other" and two keys
    series.add(S0, QStringLiteral("a"), 0, 1);
    series.add(S0, QStringLiteral("b"), 0, 2);
    series.add(S0, QStringLiteral("c"), 0, 4); // no room: under "other"
    QCOMPARE(series.keyCount(), 3);
    bool rest = false;
    QCOMPARE(series.top(S0, S0, 0, 0, 5, &rest), (QStringList{"b", "a"}));
    QVERIFY(rest);
    QCOMPARE(series.aggregateRest(S0, S0, 1, {"a", "b"}, 0), QList<double>{4.0});
}

void tst_KeyedSeries::aKeyGoneForTheWholeWindowGivesUpItsChannels()
{
    KeyedSeries series(1, 3, 10);
    series.add(S0, QStringLiteral("a"), 0, 1);
    series.add(S0 + 5, QStringLiteral("b"), 0, 2);
    series.add(S0 + 12, QStringLiteral("c"), 0, 4); // "a" is older than the window: c takes its place
    bool rest = false;
    QCOMPARE(series.top(S0 + 3, S0 + 12, 0, 0, 5, &rest), (QStringList{"c", "b"}));
    QVERIFY(!rest);
    QCOMPARE(series.aggregate(S0 + 12, S0 + 12, 1, QStringLiteral("c"), 0), QList<double>{4.0});
    QVERIFY(series.aggregate(S0, S0, 1, QStringLiteral("a"), 0).isEmpty());
}

QTEST_APPLESS_MAIN(tst_KeyedSeries)
#include "tst_KeyedSeries.moc"
