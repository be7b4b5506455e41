#include "ConsoleFormat.h"

#include <QDateTime>
#include <QTest>

#include <cmath>
#include <limits>

class tst_ConsoleFormat : public QObject
{
    Q_OBJECT
private slots:
    void money_data();
    void money();
    void count_data();
    void count();
    void tokens_data();
    void tokens();
    void rate_data();
    void rate();
    void duration_data();
    void duration();
    void percent_data();
    void percent();
    void baseUrl_data();
    void baseUrl();
    void clockTime_data();
    void clockTime();
};

void tst_ConsoleFormat::money_data()
{
    QTest::addColumn<qint64>("micros");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<QString>("expected");

    QTest::newRow("zero") << qint64(0) << "USD" << "$0.00";
    QTest::newRow("one micro") << qint64(1) << "USD" << "$0.000001";
    QTest::newRow("fifty micros") << qint64(50) << "USD" << "$0.00005";
    QTest::newRow("a tenth of a cent") << qint64(1'000) << "USD" << "$0.001";
    QTest::newRow("brief example") << qint64(1'234) << "USD" << "$0.0012";
    QTest::newRow("one cent") << qint64(10'000) << "USD" << "$0.01";
    QTest::newRow("cents, three decimals") << qint64(12'345) << "USD" << "$0.012";
    QTest::newRow("rounds up into two decimals") << qint64(99'999) << "USD" << "$0.10";
    QTest::newRow("dimes") << qint64(123'456) << "USD" << "$0.12";
    QTest::newRow("half") << qint64(500'000) << "USD" << "$0.50";
    QTest::newRow("rounds up to one") << qint64(999'999) << "USD" << "$1.00";
    QTest::newRow("one") << qint64(1'000'000) << "USD" << "$1.00";
    QTest::newRow("grouped") << qint64(1'234'567'890) << "USD" << "$1,234.57";
    QTest::newRow("millions") << qint64(1'000'000'000'000) << "USD" << "$1,000,000.00";
    QTest::newRow("negative") << qint64(-1'500'000) << "USD" << "-$1.50";
    QTest::newRow("negative small") << qint64(-1'234) << "USD" << "-$0.0012";
    QTest::newRow("lower-case code") << qint64(2'000'000) << "usd" << "$2.00";
    QTest::newRow("euro") << qint64(3'100'000) << "EUR" << "€3.10";
    QTest::newRow("pound") << qint64(250'000) << "GBP" << "£0.25";
    QTest::newRow("yuan") << qint64(7'000'000) << "CNY" << "CN¥7.00";
    QTest::newRow("code without symbol") << qint64(12'000'000) << "CHF" << "12.00 CHF";
    QTest::newRow("no code") << qint64(500'000) << "" << "0.50";
    QTest::newRow("most negative") << std::numeric_limits<qint64>::min() << "USD" << "-$9,223,372,036,854.78";
}

void tst_ConsoleFormat::money()
{
    QFETCH(qint64, micros);
    QFETCH(QString, currency);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::money(micros, currency), expected);
}

void tst_ConsoleFormat::count_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << qint64(0) << "0";
    QTest::newRow("hundreds") << qint64(999) << "999";
    QTest::newRow("thousand") << qint64(1000) << "1,000";
    QTest::newRow("millions") << qint64(1'234'567) << "1,234,567";
    QTest::newRow("negative") << qint64(-1234) << "-1,234";
    QTest::newRow("min") << std::numeric_limits<qint64>::min() << "-9,223,372,036,854,775,808";
}

void tst_ConsoleFormat::count()
{
    QFETCH(qint64, value);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::count(value), expected);
}

void tst_ConsoleFormat::tokens_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << qint64(0) << "0";
    QTest::newRow("below a thousand") << qint64(950) << "950";
    QTest::newRow("999") << qint64(999) << "999";
    QTest::newRow("1k, no .0") << qint64(1000) << "1k";
    QTest::newRow("1.2k") << qint64(1234) << "1.2k";
    QTest::newRow("half rounds up") << qint64(1250) << "1.3k";
    QTest::newRow("12.3k") << qint64(12'345) << "12.3k";
    QTest::newRow("99.9k") << qint64(99'949) << "99.9k";
    QTest::newRow("100k, no decimal") << qint64(99'950) << "100k";
    QTest::newRow("123k") << qint64(123'456) << "123k";
    QTest::newRow("999k") << qint64(999'499) << "999k";
    QTest::newRow("promotes to M") << qint64(999'500) << "1M";
    QTest::newRow("3.4M") << qint64(3'400'000) << "3.4M";
    QTest::newRow("1.2B") << qint64(1'200'000'000) << "1.2B";
    QTest::newRow("T") << qint64(5'000'000'000'000'000) << "5000T";
    QTest::newRow("negative") << qint64(-1500) << "-1.5k";
}

void tst_ConsoleFormat::tokens()
{
    QFETCH(qint64, value);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::tokens(value), expected);
}

void tst_ConsoleFormat::rate_data()
{
    QTest::addColumn<double>("perSecond");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << 0.0 << "0 req/s";
    QTest::newRow("negative clamps") << -2.0 << "0 req/s";
    QTest::newRow("nan") << std::nan("") << "0 req/s";
    QTest::newRow("tiny but not zero") << 0.01 << "<0.1 req/s";
    QTest::newRow("one decimal") << 3.24 << "3.2 req/s";
    QTest::newRow("just below ten") << 9.94 << "9.9 req/s";
    QTest::newRow("rounds to ten") << 9.96 << "10 req/s";
    QTest::newRow("whole") << 48.4 << "48 req/s";
    QTest::newRow("999") << 999.4 << "999 req/s";
    QTest::newRow("compact") << 999.6 << "1k req/s";
    QTest::newRow("1.2k") << 1234.0 << "1.2k req/s";
}

void tst_ConsoleFormat::rate()
{
    QFETCH(double, perSecond);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::rate(perSecond, QStringLiteral("req/s")), expected);
}

void tst_ConsoleFormat::duration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown") << qint64(-1) << "—";
    QTest::newRow("zero") << qint64(0) << "0 ms";
    QTest::newRow("ms") << qint64(850) << "850 ms";
    QTest::newRow("999 ms") << qint64(999) << "999 ms";
    QTest::newRow("one second") << qint64(1000) << "1.00 s";
    QTest::newRow("1.25 s") << qint64(1250) << "1.25 s";
    QTest::newRow("9.99 s") << qint64(9994) << "9.99 s";
    QTest::newRow("to one decimal") << qint64(9995) << "10.0 s";
    QTest::newRow("12.3 s") << qint64(12'345) << "12.3 s";
    QTest::newRow("59.9 s") << qint64(59'949) << "59.9 s";
    QTest::newRow("a minute") << qint64(59'950) << "1m 00s";
    QTest::newRow("minutes") << qint64(245'000) << "4m 05s";
    QTest::newRow("59m 59s") << qint64(3'599'499) << "59m 59s";
    QTest::newRow("an hour") << qint64(3'599'500) << "1h 00m";
    QTest::newRow("hours") << qint64(7'380'000) << "2h 03m";
    QTest::newRow("a day") << qint64(86'400'000) << "1d 00h";
    QTest::newRow("days") << qint64(273'600'000) << "3d 04h";
}

void tst_ConsoleFormat::duration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::duration(ms), expected);
}

void tst_ConsoleFormat::percent_data()
{
    QTest::addColumn<qint64>("part");
    QTest::addColumn<qint64>("whole");
    QTest::addColumn<QString>("expected");
    QTest::newRow("nothing of nothing") << qint64(0) << qint64(0) << "0 %";
    QTest::newRow("something of nothing") << qint64(1) << qint64(0) << "0 %";
    QTest::newRow("none") << qint64(0) << qint64(10) << "0 %";
    QTest::newRow("tiny") << qint64(1) << qint64(4000) << "<0.1 %";
    QTest::newRow("2.5") << qint64(1) << qint64(40) << "2.5 %";
    QTest::newRow("a third") << qint64(1) << qint64(3) << "33.3 %";
    QTest::newRow("all") << qint64(10) << qint64(10) << "100 %";
}

void tst_ConsoleFormat::percent()
{
    QFETCH(qint64, part);
    QFETCH(qint64, whole);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::percent(part, whole), expected);
}

void tst_ConsoleFormat::baseUrl_data()
{
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << "127.0.0.1:8400" << "http://127.0.0.1:8400/v1";
    QTest::newRow("name") << "localhost:9000" << "http://localhost:9000/v1";
    QTest::newRow("any IPv4 dials loopback") << "0.0.0.0:8400" << "http://127.0.0.1:8400/v1";
    QTest::newRow("any IPv6 dials loopback") << "[::]:8400" << "http://[::1]:8400/v1";
    QTest::newRow("IPv6 loopback") << "[::1]:8400" << "http://[::1]:8400/v1";
    QTest::newRow("surrounding spaces") << " 127.0.0.1:8400 " << "http://127.0.0.1:8400/v1";
    QTest::newRow("empty") << "" << "";
    QTest::newRow("no port") << "127.0.0.1:" << "";
    QTest::newRow("port only") << "8400" << "";
}

void tst_ConsoleFormat::baseUrl()
{
    QFETCH(QString, listen);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::baseUrl(listen), expected);
}

void tst_ConsoleFormat::clockTime_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<QString>("expected");
    const auto at = [](int y, int mo, int d, int h, int mi, int s) { return QDateTime(QDate(y, mo, d), QTime(h, mi, s)).toMSecsSinceEpoch(); };
    const qint64 now = at(2026, 12, 1, 23, 0, 0);
    QTest::newRow("unknown") << qint64(0) << now << QStringLiteral("—");
    QTest::newRow("negative") << qint64(-5) << now << QStringLiteral("—");
    QTest::newRow("today") << at(2026, 12, 1, 9, 5, 7) << now << QStringLiteral("09:05:07");
    QTest::newRow("midnight today") << at(2026, 12, 1, 0, 0, 0) << now << QStringLiteral("00:00:00");
    QTest::newRow("yesterday") << at(2026, 11, 30, 23, 59, 59) << now << QStringLiteral("2026-11-30 23:59:59");
    QTest::newRow("a year ago") << at(2025, 12, 1, 9, 5, 7) << now << QStringLiteral("2025-12-01 09:05:07");
}

void tst_ConsoleFormat::clockTime()
{
    QFETCH(qint64, ms);
    QFETCH(qint64, now);
    QFETCH(QString, expected);
    QCOMPARE(ConsoleFormat::clockTime(ms, now), expected);
}

QTEST_GUILESS_MAIN(tst_ConsoleFormat)
#include "tst_ConsoleFormat.moc"
