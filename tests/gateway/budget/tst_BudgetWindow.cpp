#include "budget/BudgetClock.h"
#include "budget/ManualBudgetClock.h"

#include <QTest>

#include <ctime>

namespace {

qint64 utc(const QString &iso)
{
    QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
    at.setTimeSpec(Qt::UTC);
    if (!at.isValid())
        qFatal("bad test time %s", qPrintable(iso));
    return at.toMSecsSinceEpoch();
}

QString utcText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

// Where windows start and end on the local calendar: in Europe/Berlin, across DST changes, month
// and year ends and leap days.
class tst_BudgetWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void bounds_data();
    void bounds();
    void windowsTileTheYear();
    void acceptsAnyTimeSpec();
    void manualClock();
};

void tst_BudgetWindow::initTestCase()
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
    // Guard: the rest means nothing if the zone did not take.
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(utc(QStringLiteral("2026-07-01T12:00:00.000"))).offsetFromUtc(), 7200);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(utc(QStringLiteral("2026-01-01T12:00:00.000"))).offsetFromUtc(), 3600);
}

void tst_BudgetWindow::bounds_data()
{
    QTest::addColumn<int>("window");
    QTest::addColumn<QString>("now");   // UTC
    QTest::addColumn<QString>("start"); // UTC
    QTest::addColumn<QString>("end");   // UTC

    const int minute = int(BudgetWindow::Minute), hour = int(BudgetWindow::Hour), day = int(BudgetWindow::Day),
              month = int(BudgetWindow::Month);
    // Local 14:37:12.345 CEST.
    QTest::newRow("minute") << minute << "2026-07-15T12:37:12.345" << "2026-07-15T12:37:00.000" << "2026-07-15T12:38:00.000";
    QTest::newRow("minute, on the boundary") << minute << "2026-07-15T12:37:00.000" << "2026-07-15T12:37:00.000"
                                             << "2026-07-15T12:38:00.000";
    QTest::newRow("hour") << hour << "2026-07-15T12:37:12.345" << "2026-07-15T12:00:00.000" << "2026-07-15T13:00:00.000";
    QTest::newRow("day, summer") << day << "2026-07-15T12:37:12.345" << "2026-07-14T22:00:00.000" << "2026-07-15T22:00:00.000";
    QTest::newRow("day, winter") << day << "2026-01-15T12:00:00.000" << "2026-01-14T23:00:00.000" << "2026-01-15T23:00:00.000";
    QTest::newRow("day, just before midnight") << day << "2026-01-15T22:59:59.999" << "2026-01-14T23:00:00.000"
                                               << "2026-01-15T23:00:00.000";
    QTest::newRow("day, at midnight") << day << "2026-01-15T23:00:00.000" << "2026-01-15T23:00:00.000" << "2026-01-16T23:00:00.000";

    // 29 March 2026: 02:00 CET jumps to 03:00 CEST; the day is 23 hours long.
    QTest::newRow("day, spring forward (23 h)") << day << "2026-03-29T10:00:00.000" << "2026-03-28T23:00:00.000"
                                                << "2026-03-29T22:00:00.000";
    QTest::newRow("hour before the jump") << hour << "2026-03-29T00:30:00.000" << "2026-03-29T00:00:00.000"
                                          << "2026-03-29T01:00:00.000";
    QTest::newRow("hour after the jump (03:00 CEST)") << hour << "2026-03-29T01:00:00.000" << "2026-03-29T01:00:00.000"
                                                      << "2026-03-29T02:00:00.000";
    QTest::newRow("minute before the jump") << minute << "2026-03-29T00:59:59.999" << "2026-03-29T00:59:00.000"
                                            << "2026-03-29T01:00:00.000";
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET; the day is 25 hours long and the
    // local hour 02:00 happens twice, as two separate windows.
    QTest::newRow("day, fall back (25 h)") << day << "2026-10-25T10:00:00.000" << "2026-10-24T22:00:00.000"
                                           << "2026-10-25T23:00:00.000";
    QTest::newRow("first 02:00 hour (CEST)") << hour << "2026-10-25T00:30:00.000" << "2026-10-25T00:00:00.000"
                                             << "2026-10-25T01:00:00.000";
    QTest::newRow("second 02:00 hour (CET)") << hour << "2026-10-25T01:30:00.000" << "2026-10-25T01:00:00.000"
                                             << "2026-10-25T02:00:00.000";
    QTest::newRow("month with spring forward") << month << "2026-03-15T12:00:00.000" << "2026-02-28T23:00:00.000"
                                               << "2026-03-31T22:00:00.000";
    QTest::newRow("month with fall back") << month << "2026-10-31T22:59:59.999" << "2026-09-30T22:00:00.000"
                                          << "2026-10-31T23:00:00.000";
    QTest::newRow("month end, last ms") << month << "2026-01-31T22:59:59.999" << "2025-12-31T23:00:00.000"
                                        << "2026-01-31T23:00:00.000";
    QTest::newRow("month start, first ms") << month << "2026-01-31T23:00:00.000" << "2026-01-31T23:00:00.000"
                                           << "2026-02-28T23:00:00.000";
    QTest::newRow("30-day month") << month << "2026-04-30T12:00:00.000" << "2026-03-31T22:00:00.000"
                                  << "2026-04-30T22:00:00.000";
    QTest::newRow("leap day") << day << "2028-02-29T12:00:00.000" << "2028-02-28T23:00:00.000" << "2028-02-29T23:00:00.000";
    QTest::newRow("february of a leap year") << month << "2028-02-29T22:59:59.999" << "2028-01-31T23:00:00.000"
                                             << "2028-02-29T23:00:00.000";
    QTest::newRow("february, common year") << month << "2026-02-10T00:00:00.000" << "2026-01-31T23:00:00.000"
                                           << "2026-02-28T23:00:00.000";
    QTest::newRow("28 Feb to 1 Mar, common year") << day << "2026-02-28T12:00:00.000" << "2026-02-27T23:00:00.000"
                                                  << "2026-02-28T23:00:00.000";
    QTest::newRow("year end, day") << day << "2026-12-31T22:59:59.999" << "2026-12-30T23:00:00.000" << "2026-12-31T23:00:00.000";
    QTest::newRow("year end, month") << month << "2026-12-31T22:59:59.999" << "2026-11-30T23:00:00.000"
                                     << "2026-12-31T23:00:00.000";
    QTest::newRow("new year, month") << month << "2026-12-31T23:00:00.000" << "2026-12-31T23:00:00.000"
                                     << "2027-01-31T23:00:00.000";
    QTest::newRow("year end, hour") << hour << "2026-12-31T22:59:59.999" << "2026-12-31T22:00:00.000"
                                    << "2026-12-31T23:00:00.000";
}

void tst_BudgetWindow::bounds()
{
    QFETCH(int, window);
    QFETCH(QString, now);
    QFETCH(QString, start);
    QFETCH(QString, end);
    const qint64 at = utc(now);
    QCOMPARE(utcText(BudgetClock::windowStart(BudgetWindow(window), at)), utcText(utc(start)));
    QCOMPARE(utcText(BudgetClock::windowEnd(BudgetWindow(window), at)), utcText(utc(end)));
    QCOMPARE(BudgetClock::windowStart(BudgetWindow(window), QDateTime::fromMSecsSinceEpoch(at)), utc(start));
}

void tst_BudgetWindow::windowsTileTheYear()
{
    // Stepping through 2026 and two leap-year months: every instant lies in its window, windows
    // touch without gaps or overlaps, and total/request never start or end.
    const QList<std::pair<qint64, qint64>> ranges = {
        {utc(QStringLiteral("2025-12-31T00:00:00.000")), utc(QStringLiteral("2027-01-02T00:00:00.000"))},
        {utc(QStringLiteral("2028-02-01T00:00:00.000")), utc(QStringLiteral("2028-04-01T00:00:00.000"))}};
    for (const auto &[from, to] : ranges) {
        for (qint64 ms = from; ms < to; ms += 7 * 60'000 + 13'457) {
            for (BudgetWindow window : {BudgetWindow::Minute, BudgetWindow::Hour, BudgetWindow::Day, BudgetWindow::Month}) {
                const qint64 start = BudgetClock::windowStart(window, ms);
                const qint64 end = BudgetClock::windowEnd(window, ms);
                QVERIFY(start <= ms && ms < end);
                QCOMPARE(BudgetClock::windowStart(window, end - 1), start);
                QCOMPARE(BudgetClock::windowStart(window, end), end);
                QCOMPARE(BudgetClock::windowStart(window, start), start);
                const qint64 length = end - start;
                switch (window) {
                case BudgetWindow::Minute: QCOMPARE(length, 60'000); break;
                case BudgetWindow::Hour: QCOMPARE(length, 3'600'000); break;
                case BudgetWindow::Day: QVERIFY(length == 23 * 3'600'000 || length == 24 * 3'600'000 || length == 25 * 3'600'000); break;
                default: QVERIFY(length >= 28LL * 86'400'000 - 3'600'000 && length <= 31LL * 86'400'000 + 3'600'000); break;
                }
                const QDateTime localStart = QDateTime::fromMSecsSinceEpoch(start);
                if (window == BudgetWindow::Day || window == BudgetWindow::Month)
                    QCOMPARE(localStart.time(), QTime(0, 0));
                if (window == BudgetWindow::Month)
                    QCOMPARE(localStart.date().day(), 1);
            }
            QCOMPARE(BudgetClock::windowStart(BudgetWindow::Total, ms), 0);
            QCOMPARE(BudgetClock::windowEnd(BudgetWindow::Total, ms), 0);
            QCOMPARE(BudgetClock::windowStart(BudgetWindow::Request, ms), 0);
            QCOMPARE(BudgetClock::windowEnd(BudgetWindow::Request, ms), 0);
        }
    }
}

void tst_BudgetWindow::acceptsAnyTimeSpec()
{
    const qint64 ms = utc(QStringLiteral("2026-03-29T10:00:00.000"));
    const QDateTime inUtc = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    const QDateTime inLocal = QDateTime::fromMSecsSinceEpoch(ms);
    const QDateTime withOffset = QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, -5 * 3600);
    for (BudgetWindow window : {BudgetWindow::Minute, BudgetWindow::Hour, BudgetWindow::Day, BudgetWindow::Month}) {
        QCOMPARE(BudgetClock::windowStart(window, inUtc), BudgetClock::windowStart(window, inLocal));
        QCOMPARE(BudgetClock::windowStart(window, withOffset), BudgetClock::windowStart(window, inLocal));
        QCOMPARE(BudgetClock::windowEnd(window, inUtc), BudgetClock::windowEnd(window, inLocal));
    }
}

void tst_BudgetWindow::manualClock()
{
    ManualBudgetClock clock(QDateTime(QDate(2026, 3, 28), QTime(23, 59, 59)));
    QCOMPARE(clock.now().time(), QTime(23, 59, 59));
    clock.advance(1000);
    QCOMPARE(clock.now().date(), QDate(2026, 3, 29));
    QCOMPARE(clock.now().time(), QTime(0, 0));
    QCOMPARE(clock.nowMs(), clock.now().toMSecsSinceEpoch());
    clock.setNowMs(0);
    QCOMPARE(clock.now().toMSecsSinceEpoch(), 0);
}

QTEST_GUILESS_MAIN(tst_BudgetWindow)
#include "tst_BudgetWindow.moc"
