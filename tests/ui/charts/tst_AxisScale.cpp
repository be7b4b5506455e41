#include "charts/AxisScale.h"

#include <QTest>

// Axis ticks: round steps from zero, labels with units, clock times at round minutes.
class tst_AxisScale : public QObject
{
    Q_OBJECT
private slots:
    void valueTicks_data();
    void valueTicks();
    void labels_data();
    void labels();
    void timeTicks_data();
    void timeTicks();
};

void tst_AxisScale::valueTicks_data()
{
    QTest::addColumn<double>("dataMax");
    QTest::addColumn<double>("floorMax");
    QTest::addColumn<double>("step");
    QTest::addColumn<double>("top");
    QTest::newRow("idle uses the floor") << 0.0 << 10.0 << 5.0 << 10.0;
    QTest::newRow("1234 tok/s") << 1234.0 << 10.0 << 500.0 << 1500.0;
    QTest::newRow("0.3 req/s") << 0.3 << 1.0 << 0.5 << 1.0;
    QTest::newRow("37 req/s") << 37.0 << 1.0 << 10.0 << 40.0;
    QTest::newRow("exactly a step gets headroom") << 100.0 << 1.0 << 50.0 << 150.0;
}

void tst_AxisScale::valueTicks()
{
    QFETCH(double, dataMax);
    QFETCH(double, floorMax);
    const AxisScale::Ticks ticks = AxisScale::valueTicks(dataMax, floorMax);
    QTEST(ticks.step, "step");
    QTEST(ticks.top, "top");
    QVERIFY(ticks.top >= dataMax);
    QVERIFY(ticks.count() >= 1 && ticks.count() <= 5);
}

void tst_AxisScale::labels_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("step");
    QTest::addColumn<int>("unit");
    QTest::addColumn<QString>("label");
    QTest::newRow("tokens") << 1500.0 << 500.0 << int(AxisScale::Unit::TokensPerSecond) << QStringLiteral("1.5k tok/s");
    QTest::newRow("tokens small") << 20.0 << 5.0 << int(AxisScale::Unit::TokensPerSecond) << QStringLiteral("20 tok/s");
    QTest::newRow("zero") << 0.0 << 5.0 << int(AxisScale::Unit::TokensPerSecond) << QStringLiteral("0 tok/s");
    QTest::newRow("requests fraction") << 0.5 << 0.5 << int(AxisScale::Unit::RequestsPerSecond) << QStringLiteral("0.5 req/s");
    QTest::newRow("money") << 400000.0 << 200000.0 << int(AxisScale::Unit::MoneyPerMinute) << QStringLiteral("$0.40/min");
    QTest::newRow("ms") << 350.0 << 50.0 << int(AxisScale::Unit::Milliseconds) << QStringLiteral("350 ms");
    QTest::newRow("seconds") << 2000.0 << 1000.0 << int(AxisScale::Unit::Milliseconds) << QStringLiteral("2 s");
    QTest::newRow("half seconds") << 1500.0 << 500.0 << int(AxisScale::Unit::Milliseconds) << QStringLiteral("1.5 s");
    QTest::newRow("below a second") << 500.0 << 500.0 << int(AxisScale::Unit::Milliseconds) << QStringLiteral("500 ms");
}

void tst_AxisScale::labels()
{
    QFETCH(double, value);
    QFETCH(double, step);
    QFETCH(int, unit);
    QTEST(AxisScale::label(value, step, AxisScale::Unit(unit)), "label");
}

void tst_AxisScale::timeTicks_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("step");
    QTest::addColumn<int>("count");
    const qint64 t = 1'700'000'400; // a multiple of 600 + 0: 1'700'000'400 % 60 == 40
    QTest::newRow("5 min") << t << t + 299 << 60 << 5;
    QTest::newRow("15 min") << t << t + 899 << 300 << 3;
    QTest::newRow("60 min") << t << t + 3599 << 600 << 6;
}

void tst_AxisScale::timeTicks()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, step);
    QCOMPARE(AxisScale::timeStepSeconds(to - from), step);
    const QList<qint64> ticks = AxisScale::timeTicks(from, to);
    QTEST(int(ticks.size()), "count");
    for (const qint64 tick : ticks) {
        QCOMPARE(tick % step, 0);
        QVERIFY(tick >= from && tick <= to);
    }
}

QTEST_APPLESS_MAIN(tst_AxisScale)
#include "tst_AxisScale.moc"
