// LabelBound and SeriesIndex: a label keeps its first N values and folds the rest into "other";
// a family keeps its first N label tuples and folds the rest into one all-"other" series.
#include "metrics/LabelBound.h"
#include "metrics/SeriesIndex.h"

#include <QtTest>

class tst_LabelBound : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keepsTheFirstValuesAndFoldsTheRest()
    {
        LabelBound tenants(3);
        QCOMPARE(tenants.bounded(QStringLiteral("a")), QStringLiteral("a"));
        QCOMPARE(tenants.bounded(QStringLiteral("b")), QStringLiteral("b"));
        QCOMPARE(tenants.bounded(QStringLiteral("c")), QStringLiteral("c"));
        QCOMPARE(tenants.bounded(QStringLiteral("d")), LabelBound::Other);
        QCOMPARE(tenants.bounded(QStringLiteral("e")), LabelBound::Other);
        // A known value stays itself after the bound is reached.
        QCOMPARE(tenants.bounded(QStringLiteral("a")), QStringLiteral("a"));
        QCOMPARE(tenants.known(), 3);
        QCOMPARE(tenants.folded(), 2);
    }

    void aThousandTenantsMakeAtMostTheCapPlusOther()
    {
        LabelBound tenants(64);
        QSet<QString> labels;
        for (int i = 0; i < 1000; ++i)
            labels.insert(tenants.bounded(QStringLiteral("tenant-%1").arg(i)));
        QCOMPARE(labels.size(), 65);
        QVERIFY(labels.contains(LabelBound::Other));
        QCOMPARE(tenants.folded(), 1000 - 64);
    }

    void mayAddFalseNeverTakesRoom()
    {
        LabelBound models(2);
        QCOMPARE(models.bounded(QStringLiteral("made-up"), false), LabelBound::Other);
        QCOMPARE(models.bounded(QStringLiteral("gpt-4o")), QStringLiteral("gpt-4o"));
        QCOMPARE(models.bounded(QStringLiteral("gpt-4o"), false), QStringLiteral("gpt-4o"));
        QCOMPARE(models.bounded(QStringLiteral("claude")), QStringLiteral("claude"));
        QCOMPARE(models.known(), 2);
    }

    void longValuesAreCut()
    {
        LabelBound models(4);
        const QString longName(1000, QLatin1Char('x'));
        QCOMPARE(models.bounded(longName).size(), LabelBound::MaxValueLength);
        // Two values that differ only past the cut are one label value.
        QCOMPARE(models.bounded(longName + QLatin1Char('y')), models.bounded(longName + QLatin1Char('z')));
        QCOMPARE(models.known(), 1);
    }

    void seriesIndexIsStableAndRendersLabelsOnce()
    {
        SeriesIndex index({"model", "tenant"}, 10);
        bool added = false;
        const qsizetype a = index.indexOf({QStringLiteral("m"), QStringLiteral("t")}, &added);
        QVERIFY(added);
        const qsizetype b = index.indexOf({QStringLiteral("m"), QStringLiteral("u\"")}, &added);
        QVERIFY(added);
        QCOMPARE(index.indexOf({QStringLiteral("m"), QStringLiteral("t")}, &added), a);
        QVERIFY(!added);
        QVERIFY(a != b);
        QCOMPARE(index.labels(b), QByteArray("{model=\"m\",tenant=\"u\\\"\"}"));
        QCOMPARE(index.find({QStringLiteral("m"), QStringLiteral("t")}), a);
        QCOMPARE(index.find({QStringLiteral("x"), QStringLiteral("t")}), -1);
        // A tuple split differently is another series (no joining of values into one key).
        const qsizetype c = index.indexOf({QStringLiteral("m,t"), QString()}, &added);
        QVERIFY(added && c != a);
    }

    void fullFamilyFoldsNewTuplesIntoOneOtherSeries()
    {
        SeriesIndex index({"a", "b"}, 3);
        bool added = false;
        index.indexOf({QStringLiteral("1"), QStringLiteral("1")}, &added);
        index.indexOf({QStringLiteral("1"), QStringLiteral("2")}, &added);
        const qsizetype third = index.indexOf({QStringLiteral("2"), QStringLiteral("1")}, &added);
        QVERIFY(added);
        const qsizetype fourth = index.indexOf({QStringLiteral("2"), QStringLiteral("2")}, &added);
        QVERIFY(added); // the "other" series, made once
        QVERIFY(fourth != third);
        QCOMPARE(index.labels(fourth), QByteArray("{a=\"other\",b=\"other\"}"));
        QCOMPARE(index.indexOf({QStringLiteral("3"), QStringLiteral("3")}, &added), fourth);
        QVERIFY(!added);
        QCOMPARE(index.size(), 4); // the cap, plus the one "other" series
        // Known tuples still find their own series.
        QCOMPARE(index.indexOf({QStringLiteral("2"), QStringLiteral("1")}, &added), third);
    }
};

QTEST_GUILESS_MAIN(tst_LabelBound)
#include "tst_LabelBound.moc"
