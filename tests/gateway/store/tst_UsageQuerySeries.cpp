// UsageQuery::series(): the History page's time series, on a real SQLite file written through
// UsageStore. Buckets on the local calendar (a fixed zone ten hours east of UTC, and a zone with
// daylight saving for the change-over nights), splits by model / tenant / session, top N + other.
#include "TestDatabase.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

#include <ctime>
#include <memory>

using Rows = QList<UsageSeriesRow>;

class tst_UsageQuerySeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void emptyRangeHasNoRows();
    void rangeIsHalfOpen();
    void daysStartAtLocalMidnight();
    void hoursAreLocalHours();
    void noSplitIsOneRowPerBucket();
    void splitByModelTenantSession_data();
    void splitByModelTenantSession();
    void keysBeyondTopNAreSummedAsOther();
    void topNRanksByCostOverTheRange();
    void allKeysFitNoOther();
    void aDaylightSavingDayIs25Hours();
    void theRepeatedHourIsTwoBuckets();
    void usesTheTimeIndex();

private:
    void store(const QList<UsageRecord> &rows);
    static UsageRecord row(qint64 startedAt, const QString &model, const QString &tenant, const QString &session,
                           qint64 prompt, qint64 completion, qint64 cost);
    static qint64 localMs(int year, int month, int day, int hour, int minute = 0);
    static void setZone(const char *tz);
    Rows series(qint64 from, qint64 to, UsageQuery::Bucket bucket, UsageQuery::Split split, int top = 8);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<UsageStore> m_store;
    int m_next = 0;
};

void tst_UsageQuerySeries::setZone(const char *tz)
{
    qputenv("TZ", tz);
    tzset();
}

void tst_UsageQuerySeries::initTestCase()
{
    // Ten hours east of UTC, no daylight saving, POSIX form (no tz database needed): local
    // midnight is 14:00 UTC, so local and UTC days differ visibly.
    setZone("TFT-10");
    QCOMPARE(QDateTime(QDate(2025, 3, 14), QTime(12, 0)).offsetFromUtc(), 10 * 3600);
}

void tst_UsageQuerySeries::init()
{
    setZone("TFT-10");
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<UsageStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
}

void tst_UsageQuerySeries::cleanup()
{
    m_store.reset();
    m_dir.reset();
    setZone("TFT-10");
}

void tst_UsageQuerySeries::store(const QList<UsageRecord> &rows)
{
    for (const UsageRecord &r : rows)
        m_store->record(r);
    QVERIFY(m_store->flush());
}

UsageRecord tst_UsageQuerySeries::row(qint64 startedAt, const QString &model, const QString &tenant,
                                      const QString &session, qint64 prompt, qint64 completion, qint64 cost)
{
    static int n = 0;
    UsageRecord r;
    r.id = QStringLiteral("series-%1").arg(++n);
    r.startedAt = startedAt;
    r.endedAt = startedAt + 500;
    r.model = model;
    r.tenant = tenant;
    r.session = session;
    r.promptTokens = prompt;
    r.completionTokens = completion;
    r.costMicros = cost;
    r.status = 200;
    return r;
}

qint64 tst_UsageQuerySeries::localMs(int year, int month, int day, int hour, int minute)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::LocalTime).toMSecsSinceEpoch();
}

Rows tst_UsageQuerySeries::series(qint64 from, qint64 to, UsageQuery::Bucket bucket, UsageQuery::Split split, int top)
{
    UsageQuery query;
    QString error;
    if (!query.open(m_store->databasePath(), &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    const Rows rows = query.series(from, to, bucket, split, top);
    if (!query.lastError().isEmpty())
        qWarning("%s", qPrintable(query.lastError()));
    return rows;
}

void tst_UsageQuerySeries::emptyRangeHasNoRows()
{
    store({row(localMs(2025, 3, 14, 9), "a", "t", "s", 1, 1, 1)});
    QVERIFY(series(localMs(2025, 3, 15, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Day, UsageQuery::Split::None).isEmpty());
    QVERIFY(series(localMs(2025, 3, 15, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Hour, UsageQuery::Split::Model).isEmpty());
    // An empty database too.
    m_store.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<UsageStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    QVERIFY(series(0, localMs(2030, 1, 1, 0), UsageQuery::Bucket::Day, UsageQuery::Split::Tenant).isEmpty());
}

void tst_UsageQuerySeries::rangeIsHalfOpen()
{
    const qint64 from = localMs(2025, 3, 14, 0);
    const qint64 to = localMs(2025, 3, 15, 0);
    store({row(from - 1, "a", "t", "s", 1, 0, 1), row(from, "a", "t", "s", 10, 0, 10), row(to - 1, "a", "t", "s", 100, 0, 100),
           row(to, "a", "t", "s", 1000, 0, 1000)});
    const Rows rows = series(from, to, UsageQuery::Bucket::Day, UsageQuery::Split::None);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].requests, 2);
    QCOMPARE(rows[0].costMicros, 110);
    QCOMPARE(rows[0].promptTokens, 110);
}

void tst_UsageQuerySeries::daysStartAtLocalMidnight()
{
    // 23:59 and 00:01 local are 13:59 and 14:01 UTC of the same UTC day: two local days.
    store({row(localMs(2025, 3, 14, 23, 59), "a", "t", "s", 1, 2, 3), row(localMs(2025, 3, 15, 0, 1), "a", "t", "s", 4, 5, 6),
           row(localMs(2025, 3, 15, 13, 0), "a", "t", "s", 7, 8, 9)});
    const Rows rows = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Day, UsageQuery::Split::None);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].bucketStartMs, localMs(2025, 3, 14, 0));
    QCOMPARE(rows[0].requests, 1);
    QCOMPARE(rows[0].completionTokens, 2);
    QCOMPARE(rows[1].bucketStartMs, localMs(2025, 3, 15, 0));
    QCOMPARE(rows[1].requests, 2);
    QCOMPARE(rows[1].promptTokens, 11);
    QCOMPARE(rows[1].completionTokens, 13);
    QCOMPARE(rows[1].costMicros, 15);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(rows[1].bucketStartMs).time(), QTime(0, 0));
}

void tst_UsageQuerySeries::hoursAreLocalHours()
{
    store({row(localMs(2025, 3, 14, 9, 0), "a", "t", "s", 1, 0, 1), row(localMs(2025, 3, 14, 9, 59), "a", "t", "s", 1, 0, 2),
           row(localMs(2025, 3, 14, 10, 0), "a", "t", "s", 1, 0, 4), row(localMs(2025, 3, 14, 23, 30), "a", "t", "s", 1, 0, 8)});
    const Rows rows = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 15, 0), UsageQuery::Bucket::Hour, UsageQuery::Split::None);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].bucketStartMs, localMs(2025, 3, 14, 9));
    QCOMPARE(rows[0].costMicros, 3);
    QCOMPARE(rows[1].bucketStartMs, localMs(2025, 3, 14, 10));
    QCOMPARE(rows[1].costMicros, 4);
    QCOMPARE(rows[2].bucketStartMs, localMs(2025, 3, 14, 23));
    QCOMPARE(rows[2].costMicros, 8);
}

void tst_UsageQuerySeries::noSplitIsOneRowPerBucket()
{
    store({row(localMs(2025, 3, 14, 9), "a", "t1", "s1", 1, 1, 1), row(localMs(2025, 3, 14, 10), "b", "t2", "s2", 1, 1, 2)});
    const Rows rows = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 15, 0), UsageQuery::Bucket::Day, UsageQuery::Split::None, 0);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].key, QString());
    QVERIFY(!rows[0].other);
    QCOMPARE(rows[0].requests, 2);
    QCOMPARE(rows[0].costMicros, 3);
}

void tst_UsageQuerySeries::splitByModelTenantSession_data()
{
    QTest::addColumn<int>("split");
    QTest::addColumn<QStringList>("keys");  // per bucket, highest cost over the range first
    QTest::addColumn<QList<qint64>>("costs");
    // Day 1: a/t1/s1 cost 5, b/t2/s2 cost 7; day 2: a/t2/s1 cost 20.
    QTest::newRow("model") << int(UsageQuery::Split::Model) << QStringList{"a", "b", "a"} << QList<qint64>{5, 7, 20};
    QTest::newRow("tenant") << int(UsageQuery::Split::Tenant) << QStringList{"t2", "t1", "t2"} << QList<qint64>{7, 5, 20};
    QTest::newRow("session") << int(UsageQuery::Split::Session) << QStringList{"s1", "s2", "s1"} << QList<qint64>{5, 7, 20};
}

void tst_UsageQuerySeries::splitByModelTenantSession()
{
    QFETCH(int, split);
    QFETCH(QStringList, keys);
    QFETCH(QList<qint64>, costs);
    store({row(localMs(2025, 3, 14, 9), "a", "t1", "s1", 1, 1, 5), row(localMs(2025, 3, 14, 10), "b", "t2", "s2", 1, 1, 7),
           row(localMs(2025, 3, 15, 9), "a", "t2", "s1", 1, 1, 20)});
    const Rows rows = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Day, UsageQuery::Split(split));
    QCOMPARE(rows.size(), 3);
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].key, keys[i]);
        QCOMPARE(rows[i].costMicros, costs[i]);
        QVERIFY(!rows[i].other);
    }
    QCOMPARE(rows[0].bucketStartMs, localMs(2025, 3, 14, 0));
    QCOMPARE(rows[1].bucketStartMs, localMs(2025, 3, 14, 0));
    QCOMPARE(rows[2].bucketStartMs, localMs(2025, 3, 15, 0));
}

void tst_UsageQuerySeries::keysBeyondTopNAreSummedAsOther()
{
    // Models m1..m5 cost 100, 50, 30, 20, 10 in total; top 2 keep their rows.
    QList<UsageRecord> rows;
    const qint64 day1 = localMs(2025, 3, 14, 12);
    const qint64 day2 = localMs(2025, 3, 15, 12);
    rows << row(day1, "m1", "t", "s", 10, 1, 60) << row(day2, "m1", "t", "s", 10, 1, 40);
    rows << row(day1, "m2", "t", "s", 20, 2, 50);
    rows << row(day1, "m3", "t", "s", 30, 3, 30) << row(day1, "m4", "t", "s", 40, 4, 20) << row(day2, "m5", "t", "s", 50, 5, 10);
    store(rows);
    const Rows got = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Day, UsageQuery::Split::Model, 2);
    QCOMPARE(got.size(), 5);
    QCOMPARE(got[0].key, QStringLiteral("m1"));
    QCOMPARE(got[0].costMicros, 60);
    QCOMPARE(got[1].key, QStringLiteral("m2"));
    QVERIFY(got[2].other);
    QCOMPARE(got[2].key, QString());
    QCOMPARE(got[2].bucketStartMs, localMs(2025, 3, 14, 0));
    QCOMPARE(got[2].requests, 2);
    QCOMPARE(got[2].promptTokens, 70);
    QCOMPARE(got[2].completionTokens, 7);
    QCOMPARE(got[2].costMicros, 50);
    QCOMPARE(got[3].key, QStringLiteral("m1"));
    QCOMPARE(got[3].bucketStartMs, localMs(2025, 3, 15, 0));
    QVERIFY(got[4].other);
    QCOMPARE(got[4].costMicros, 10);
    qint64 total = 0;
    for (const UsageSeriesRow &r : got)
        total += r.costMicros;
    QCOMPARE(total, 210);
}

void tst_UsageQuerySeries::topNRanksByCostOverTheRange()
{
    // "late" is the biggest in the range but only on day 2; "early" leads day 1. A real key
    // named "other" stays a key of its own, not the fold.
    store({row(localMs(2025, 3, 14, 9), "early", "t", "s", 1, 1, 30), row(localMs(2025, 3, 14, 9), "small", "t", "s", 1, 1, 1),
           row(localMs(2025, 3, 15, 9), "late", "t", "s", 1, 1, 100), row(localMs(2025, 3, 15, 9), "other", "t", "s", 1, 1, 50)});
    const Rows got = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 16, 0), UsageQuery::Bucket::Day, UsageQuery::Split::Model, 3);
    QCOMPARE(got.size(), 4);
    QCOMPARE(got[0].key, QStringLiteral("early"));
    QVERIFY(got[1].other);
    QCOMPARE(got[1].costMicros, 1);
    QCOMPARE(got[2].key, QStringLiteral("late"));
    QCOMPARE(got[3].key, QStringLiteral("other"));
    QVERIFY(!got[3].other);
}

void tst_UsageQuerySeries::allKeysFitNoOther()
{
    store({row(localMs(2025, 3, 14, 9), "a", "t", "s", 1, 1, 3), row(localMs(2025, 3, 14, 9), "b", "t", "s", 1, 1, 2)});
    const Rows got = series(localMs(2025, 3, 14, 0), localMs(2025, 3, 15, 0), UsageQuery::Bucket::Hour, UsageQuery::Split::Model, 2);
    QCOMPARE(got.size(), 2);
    QVERIFY(!got[0].other && !got[1].other);
}

void tst_UsageQuerySeries::aDaylightSavingDayIs25Hours()
{
    // Central European time: clocks go back from 03:00 CEST to 02:00 CET on 2025-10-26.
    setZone("CET-1CEST,M3.5.0,M10.5.0/3");
    const qint64 day = localMs(2025, 10, 26, 0);
    const qint64 next = localMs(2025, 10, 27, 0);
    QCOMPARE(next - day, 25 * 3600 * 1000LL);
    store({row(day + 1000, "a", "t", "s", 1, 0, 1), row(next - 1000, "a", "t", "s", 1, 0, 2), row(next + 1000, "a", "t", "s", 1, 0, 4)});
    const Rows got = series(day - 3600 * 1000, next + 3600 * 1000, UsageQuery::Bucket::Day, UsageQuery::Split::None);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got[0].bucketStartMs, day);
    QCOMPARE(got[0].costMicros, 3);
    QCOMPARE(got[1].bucketStartMs, next);
    QCOMPARE(got[1].costMicros, 4);
}

void tst_UsageQuerySeries::theRepeatedHourIsTwoBuckets()
{
    setZone("CET-1CEST,M3.5.0,M10.5.0/3");
    // 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET: the same clock hour, an hour apart.
    const qint64 first = QDateTime(QDate(2025, 10, 26), QTime(0, 30), Qt::UTC).toMSecsSinceEpoch();
    const qint64 second = first + 3600 * 1000;
    store({row(first, "a", "t", "s", 1, 0, 1), row(second, "a", "t", "s", 1, 0, 2)});
    const Rows got = series(first - 3600 * 1000, second + 3600 * 1000, UsageQuery::Bucket::Hour, UsageQuery::Split::None);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got[0].bucketStartMs, first - 30 * 60 * 1000);
    QCOMPARE(got[1].bucketStartMs, second - 30 * 60 * 1000);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(got[0].bucketStartMs).time(), QTime(2, 0));
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(got[1].bucketStartMs).time(), QTime(2, 0));
}

void tst_UsageQuerySeries::usesTheTimeIndex()
{
    // The range is found in requests_by_time, never by scanning the table or walking a key index.
    TestDatabase db(m_store->databasePath());
    QVERIFY(db.isOpen());
    for (const UsageQuery::Split split : {UsageQuery::Split::None, UsageQuery::Split::Model, UsageQuery::Split::Tenant,
                                          UsageQuery::Split::Session}) {
        for (const UsageQuery::Bucket bucket : {UsageQuery::Bucket::Hour, UsageQuery::Bucket::Day}) {
            QSqlQuery plan(db.db());
            QVERIFY(plan.prepare(QStringLiteral("EXPLAIN QUERY PLAN ") + UsageQuery::seriesSql(bucket, split)));
            for (const QVariant &bind : {QVariant(0), QVariant(1), QVariant(8), QVariant(8)})
                plan.addBindValue(bind);
            QVERIFY2(plan.exec(), qPrintable(plan.lastError().text()));
            QString detail;
            while (plan.next())
                detail += plan.value(3).toString() + QLatin1Char('\n');
            QVERIFY2(detail.contains(QLatin1String("SEARCH requests USING INDEX requests_by_time")), qPrintable(detail));
            QVERIFY2(!detail.contains(QLatin1String("SCAN requests")), qPrintable(detail));
            QVERIFY2(!detail.contains(QLatin1String("requests_by_model")) && !detail.contains(QLatin1String("requests_by_tenant"))
                         && !detail.contains(QLatin1String("requests_by_session")),
                     qPrintable(detail));
        }
    }
}

QTEST_GUILESS_MAIN(tst_UsageQuerySeries)
#include "tst_UsageQuerySeries.moc"
