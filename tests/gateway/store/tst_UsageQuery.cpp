#include "TestDatabase.h"
#include "UsageSamples.h"
#include "store/StoreSchema.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

#include <ctime>
#include <memory>

using Groups = QList<QPair<QString, UsageTotals>>;

class tst_UsageQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void openRefusesMissingFile();
    void openRefusesUninitialisedFile();
    void openRefusesNewerFile();
    void recentIsNewestFirst();
    void totalsCoverAHalfOpenRange();
    void totalsOfAnEmptyRangeAreZero();
    void groupedByColumn_data();
    void groupedByColumn();
    void groupedByDayFollowsTheLocalCalendar();
    void groupedByHourFollowsTheLocalCalendar();
    void groupByFromString_data();
    void groupByFromString();
    void readsWhatTheStoreCommitsWhileOpen();
    void sessionTotalsAddUpEachSessionSince();
    void sessionTotalsAreNewestFirstAndLimited();
    void sessionTotalsOfAnEmptyRangeAreNone();
    void sessionTotalsAgreeWhateverTheLimit_data();
    void sessionTotalsAgreeWhateverTheLimit();
    void sessionTotalIsAllTime();
    void sessionTotalOfAnUnknownSessionIsNothing();

private:
    void store(const QList<UsageRecord> &rows);
    static UsageRecord row(const QString &id, qint64 startedAt, const QString &model, const QString &tenant,
                           const QString &session, qint64 prompt, qint64 completion, qint64 cost);
    static qint64 localMs(int year, int month, int day, int hour, int minute);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<UsageStore> m_store;
};

void tst_UsageQuery::initTestCase()
{
    // A fixed zone ten hours east of UTC with no daylight saving, named in POSIX form so no tz
    // database is needed. Local midnight is 14:00 UTC, so local and UTC days differ visibly.
    qputenv("TZ", "TFT-10");
    tzset();
    QCOMPARE(QDateTime(QDate(2025, 3, 14), QTime(12, 0)).offsetFromUtc(), 10 * 3600);
}

void tst_UsageQuery::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<UsageStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
}

void tst_UsageQuery::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void tst_UsageQuery::store(const QList<UsageRecord> &rows)
{
    for (const UsageRecord &r : rows)
        m_store->record(r);
    QVERIFY(m_store->flush());
}

UsageRecord tst_UsageQuery::row(const QString &id, qint64 startedAt, const QString &model, const QString &tenant,
                                const QString &session, qint64 prompt, qint64 completion, qint64 cost)
{
    UsageRecord r;
    r.id = id;
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

qint64 tst_UsageQuery::localMs(int year, int month, int day, int hour, int minute)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute), Qt::LocalTime).toMSecsSinceEpoch();
}

void tst_UsageQuery::openRefusesMissingFile()
{
    UsageQuery query;
    QString error;
    const QString path = m_dir->filePath(QStringLiteral("elsewhere/tokenfuse.db"));
    QVERIFY(!query.open(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!query.isOpen());
}

void tst_UsageQuery::openRefusesUninitialisedFile()
{
    const QString path = m_dir->filePath(QStringLiteral("blank.db"));
    {
        TestDatabase prepare(path);
        QVERIFY(prepare.exec(QStringLiteral("CREATE TABLE unrelated (x)")));
    }
    UsageQuery query;
    QString error;
    QVERIFY(!query.open(path, &error));
    QVERIFY2(error.contains(QLatin1String("schema version 0")), qPrintable(error));
}

void tst_UsageQuery::openRefusesNewerFile()
{
    {
        TestDatabase prepare(m_store->databasePath());
        QVERIFY(prepare.exec(QStringLiteral("PRAGMA user_version = %1").arg(StoreSchema::latestVersion() + 1)));
    }
    UsageQuery query;
    QString error;
    QVERIFY(!query.open(m_store->databasePath(), &error));
    QVERIFY2(error.contains(QLatin1String("newer TokenFuse")), qPrintable(error));
}

void tst_UsageQuery::recentIsNewestFirst()
{
    QList<UsageRecord> rows;
    for (int i = 0; i < 10; ++i)
        rows.append(UsageSamples::sample(i));
    rows[4].tenant = QStringLiteral("Zürich-租户");
    rows[4].error = QStringLiteral("client_closed");
    rows[4].estimated = true;
    store(rows);

    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const QList<UsageRecord> recent = query.recent(3);
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(recent.size(), 3);
    compareRecords(recent.at(0), rows.at(9));
    compareRecords(recent.at(1), rows.at(8));
    compareRecords(recent.at(2), rows.at(7));
    const QList<UsageRecord> all = query.recent(100);
    QCOMPARE(all.size(), 10);
    compareRecords(all.at(5), rows.at(4));
}

void tst_UsageQuery::totalsCoverAHalfOpenRange()
{
    store({
        row(QStringLiteral("a"), 1000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 10, 1, 100),
        row(QStringLiteral("b"), 2000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 20, 2, 200),
        row(QStringLiteral("c"), 2999, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 30, 3, 300),
        row(QStringLiteral("d"), 3000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 40, 4, 400),
    });
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QCOMPARE(query.totals(1000, 3000), (UsageTotals{3, 60, 6, 600}));
    QCOMPARE(query.totals(0, 1'000'000), (UsageTotals{4, 100, 10, 1000}));
    QCOMPARE(query.totals(1001, 3001), (UsageTotals{3, 90, 9, 900}));
}

void tst_UsageQuery::totalsOfAnEmptyRangeAreZero()
{
    store({row(QStringLiteral("a"), 1000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 10, 1, 100)});
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QCOMPARE(query.totals(5000, 6000), UsageTotals());
    QVERIFY(query.lastError().isEmpty());
    QVERIFY(query.grouped(5000, 6000, UsageQuery::GroupBy::Model).isEmpty());
}

void tst_UsageQuery::groupedByColumn_data()
{
    QTest::addColumn<UsageQuery::GroupBy>("by");
    QTest::addColumn<Groups>("expected");
    QTest::newRow("model") << UsageQuery::GroupBy::Model
                           << Groups{{QStringLiteral("claude-sonnet"), {2, 30, 3, 300}},
                                     {QStringLiteral("deepseek-chat"), {2, 70, 7, 700}}};
    QTest::newRow("tenant") << UsageQuery::GroupBy::Tenant
                            << Groups{{QStringLiteral("acme"), {3, 60, 6, 600}},
                                      {QStringLiteral("zürich"), {1, 40, 4, 400}}};
    QTest::newRow("session") << UsageQuery::GroupBy::Session
                             << Groups{{QStringLiteral("agent-1"), {1, 10, 1, 100}},
                                       {QStringLiteral("agent-2"), {3, 90, 9, 900}}};
}

void tst_UsageQuery::groupedByColumn()
{
    QFETCH(UsageQuery::GroupBy, by);
    QFETCH(Groups, expected);
    const QString claude = QStringLiteral("claude-sonnet");
    const QString deepseek = QStringLiteral("deepseek-chat");
    store({
        row(QStringLiteral("a"), 1000, claude, QStringLiteral("acme"), QStringLiteral("agent-1"), 10, 1, 100),
        row(QStringLiteral("b"), 2000, claude, QStringLiteral("acme"), QStringLiteral("agent-2"), 20, 2, 200),
        row(QStringLiteral("c"), 3000, deepseek, QStringLiteral("acme"), QStringLiteral("agent-2"), 30, 3, 300),
        row(QStringLiteral("d"), 4000, deepseek, QStringLiteral("zürich"), QStringLiteral("agent-2"), 40, 4, 400),
        // Outside the range asked for.
        row(QStringLiteral("e"), 9000, deepseek, QStringLiteral("acme"), QStringLiteral("agent-1"), 50, 5, 500),
    });
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QCOMPARE(query.grouped(0, 5000, by), expected);
}

void tst_UsageQuery::groupedByDayFollowsTheLocalCalendar()
{
    const QString m = QStringLiteral("m");
    const QString t = QStringLiteral("t");
    // 23:30 and 00:30 local are on the same UTC day here (13:30 and 14:30 UTC) but on two local days.
    store({
        row(QStringLiteral("a"), localMs(2025, 3, 14, 0, 5), m, t, t, 1, 1, 10),
        row(QStringLiteral("b"), localMs(2025, 3, 14, 23, 30), m, t, t, 2, 2, 20),
        row(QStringLiteral("c"), localMs(2025, 3, 15, 0, 30), m, t, t, 4, 4, 40),
        row(QStringLiteral("d"), localMs(2025, 3, 17, 12, 0), m, t, t, 8, 8, 80),
    });
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(localMs(2025, 3, 14, 23, 30), Qt::UTC).date(),
             QDateTime::fromMSecsSinceEpoch(localMs(2025, 3, 15, 0, 30), Qt::UTC).date());

    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const Groups expected{
        {QStringLiteral("2025-03-14"), {2, 3, 3, 30}},
        {QStringLiteral("2025-03-15"), {1, 4, 4, 40}},
        {QStringLiteral("2025-03-17"), {1, 8, 8, 80}},
    };
    QCOMPARE(query.grouped(localMs(2025, 3, 1, 0, 0), localMs(2025, 4, 1, 0, 0), UsageQuery::GroupBy::Day), expected);
    // A range of one local day holds exactly that day.
    QCOMPARE(query.totals(localMs(2025, 3, 15, 0, 0), localMs(2025, 3, 16, 0, 0)), (UsageTotals{1, 4, 4, 40}));
}

void tst_UsageQuery::groupedByHourFollowsTheLocalCalendar()
{
    const QString m = QStringLiteral("m");
    const QString t = QStringLiteral("t");
    store({
        row(QStringLiteral("a"), localMs(2025, 3, 14, 23, 0), m, t, t, 1, 1, 10),
        row(QStringLiteral("b"), localMs(2025, 3, 14, 23, 59), m, t, t, 2, 2, 20),
        row(QStringLiteral("c"), localMs(2025, 3, 15, 0, 0), m, t, t, 4, 4, 40),
    });
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const Groups expected{
        {QStringLiteral("2025-03-14 23:00"), {2, 3, 3, 30}},
        {QStringLiteral("2025-03-15 00:00"), {1, 4, 4, 40}},
    };
    QCOMPARE(query.grouped(0, localMs(2026, 1, 1, 0, 0), UsageQuery::GroupBy::Hour), expected);
}

void tst_UsageQuery::groupByFromString_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("expected"); // -1: refused
    QTest::newRow("day") << QStringLiteral("day") << int(UsageQuery::GroupBy::Day);
    QTest::newRow("hour") << QStringLiteral("hour") << int(UsageQuery::GroupBy::Hour);
    QTest::newRow("model") << QStringLiteral("model") << int(UsageQuery::GroupBy::Model);
    QTest::newRow("tenant") << QStringLiteral("tenant") << int(UsageQuery::GroupBy::Tenant);
    QTest::newRow("session") << QStringLiteral("session") << int(UsageQuery::GroupBy::Session);
    QTest::newRow("capitalised") << QStringLiteral("Day") << -1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("sql") << QStringLiteral("model; DROP TABLE requests") << -1;
}

void tst_UsageQuery::groupByFromString()
{
    QFETCH(QString, text);
    QFETCH(int, expected);
    const std::optional<UsageQuery::GroupBy> by = UsageQuery::groupByFromString(text);
    QCOMPARE(by ? int(*by) : -1, expected);
}

void tst_UsageQuery::readsWhatTheStoreCommitsWhileOpen()
{
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QCOMPARE(query.totals(0, std::numeric_limits<qint64>::max()).requests, 0);
    for (int round = 1; round <= 3; ++round) {
        for (int i = 0; i < 100; ++i)
            m_store->record(UsageSamples::sample(round * 1000 + i));
        QVERIFY(m_store->flush());
        QCOMPARE(query.totals(0, std::numeric_limits<qint64>::max()).requests, round * 100);
        QCOMPARE(query.recent(1).constFirst().id, UsageSamples::sample(round * 1000 + 99).id);
    }
}

void tst_UsageQuery::sessionTotalsAddUpEachSessionSince()
{
    const qint64 t = 1'741'600'000'000;
    store({
        // alpha: one request before the range, three in it; its latest moved to another tenant and model.
        row(QStringLiteral("a0"), t - 1, QStringLiteral("old-model"), QStringLiteral("old-tenant"), QStringLiteral("alpha"), 1000, 1000, 1000),
        row(QStringLiteral("a1"), t, QStringLiteral("claude-sonnet"), QStringLiteral("acme"), QStringLiteral("alpha"), 10, 1, 100),
        row(QStringLiteral("a2"), t + 50, QStringLiteral("claude-sonnet"), QStringLiteral("acme"), QStringLiteral("alpha"), 20, 2, 200),
        row(QStringLiteral("a3"), t + 30, QStringLiteral("deepseek-chat"), QStringLiteral("globex"), QStringLiteral("alpha"), 40, 4, 400),
        // beta: its two latest requests started in the same ms; the one stored last is its latest.
        row(QStringLiteral("b1"), t + 40, QStringLiteral("m-first"), QStringLiteral("t-first"), QStringLiteral("beta"), 5, 5, 5),
        row(QStringLiteral("b2"), t + 40, QStringLiteral("m-second"), QStringLiteral("t-second"), QStringLiteral("beta"), 6, 6, 6),
        // gamma: only before the range; and a request with no session at all.
        row(QStringLiteral("g1"), t - 10, QStringLiteral("m"), QStringLiteral("acme"), QStringLiteral("gamma"), 1, 1, 1),
        row(QStringLiteral("n1"), t + 60, QStringLiteral("m"), QStringLiteral("acme"), QString(), 1, 1, 1),
    });
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const QList<SessionTotalsRecord> totals = query.sessionTotals(t, 10);
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(totals.size(), 2);

    // alpha was seen last at t + 50 (a2, though a3 was stored after it), beta at t + 40.
    const SessionTotalsRecord &alpha = totals.at(0);
    QCOMPARE(alpha.session, QStringLiteral("alpha"));
    QCOMPARE(alpha.tenant, QStringLiteral("acme"));
    QCOMPARE(alpha.model, QStringLiteral("claude-sonnet"));
    QCOMPARE(alpha.requests, 3);
    QCOMPARE(alpha.promptTokens, 70);
    QCOMPARE(alpha.completionTokens, 7);
    QCOMPARE(alpha.costMicros, 700);
    QCOMPARE(alpha.firstSeenMs, t);
    QCOMPARE(alpha.lastSeenMs, t + 50);

    const SessionTotalsRecord &beta = totals.at(1);
    QCOMPARE(beta.session, QStringLiteral("beta"));
    QCOMPARE(beta.tenant, QStringLiteral("t-second"));
    QCOMPARE(beta.model, QStringLiteral("m-second"));
    QCOMPARE(beta.requests, 2);
    QCOMPARE(beta.promptTokens, 11);
    QCOMPARE(beta.completionTokens, 11);
    QCOMPARE(beta.costMicros, 11);
    QCOMPARE(beta.firstSeenMs, t + 40);
    QCOMPARE(beta.lastSeenMs, t + 40);
}

void tst_UsageQuery::sessionTotalsAreNewestFirstAndLimited()
{
    // 30 sessions with 4 requests each, interleaved; session-k's last request is the k-th newest.
    const qint64 t = 1'741'600'000'000;
    QList<UsageRecord> rows;
    for (int i = 0; i < 120; ++i) {
        const int k = 29 - i % 30; // the newest rows belong to session-0
        rows.append(row(QStringLiteral("r%1").arg(i), t + i * 1000, QStringLiteral("model-%1").arg(i), QStringLiteral("tenant-%1").arg(i),
                        QStringLiteral("session-%1").arg(k), i, 2 * i, 3 * i));
    }
    store(rows);
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const QList<SessionTotalsRecord> totals = query.sessionTotals(t, 7);
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(totals.size(), 7);
    for (int k = 0; k < 7; ++k) {
        const SessionTotalsRecord &r = totals.at(k);
        QCOMPARE(r.session, QStringLiteral("session-%1").arg(k));
        // Its rows are i = 29 - k + 30 j for j = 0..3; the latest is j = 3.
        const int first = 29 - k;
        const int last = first + 90;
        QCOMPARE(r.requests, 4);
        QCOMPARE(r.promptTokens, qint64(4 * first + 180));
        QCOMPARE(r.completionTokens, qint64(2 * (4 * first + 180)));
        QCOMPARE(r.costMicros, qint64(3 * (4 * first + 180)));
        QCOMPARE(r.firstSeenMs, t + first * 1000);
        QCOMPARE(r.lastSeenMs, t + last * 1000);
        QCOMPARE(r.tenant, QStringLiteral("tenant-%1").arg(last));
        QCOMPARE(r.model, QStringLiteral("model-%1").arg(last));
    }
    // Since the 100th row: the sums cover only rows from there on.
    const QList<SessionTotalsRecord> late = query.sessionTotals(t + 100 * 1000, 100);
    QCOMPARE(late.size(), 20);
    QCOMPARE(late.first().session, QStringLiteral("session-0"));
    QCOMPARE(late.first().requests, 1);
    QCOMPARE(late.first().firstSeenMs, t + 119 * 1000);
    QCOMPARE(late.last().session, QStringLiteral("session-19"));
    QCOMPARE(query.sessionTotals(t, 1000).size(), 30);
    QVERIFY(query.sessionTotals(t, 0).isEmpty());
}

void tst_UsageQuery::sessionTotalsOfAnEmptyRangeAreNone()
{
    store({row(QStringLiteral("x"), 1000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("s"), 1, 1, 1)});
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QVERIFY(query.sessionTotals(1001, 10).isEmpty());
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(query.sessionTotals(1000, 10).size(), 1);
}

void tst_UsageQuery::sessionTotalsAgreeWhateverTheLimit_data()
{
    QTest::addColumn<int>("hot");
    // 500: the newest requests hold every session; 2,000: past the first 1,020 or so, only hot.
    QTest::newRow("hot session among the others") << 500;
    QTest::newRow("hot session hiding the others") << 2000;
}

void tst_UsageQuery::sessionTotalsAgreeWhateverTheLimit()
{
    QFETCH(int, hot);
    // A small limit is answered from the newest requests alone, a limit beyond what they hold by
    // adding up the whole range: both must give the same records in the same order. Here: a hot
    // session making `hot` requests after everyone else, sessions whose latest requests started in
    // the same ms (stored last is seen last), and sessions seen only before the range.
    const qint64 t = 1'741'600'000'000;
    QList<UsageRecord> rows;
    int id = 0;
    const auto add = [&](qint64 at, const QString &session) {
        rows.append(row(QStringLiteral("q%1").arg(id), at, QStringLiteral("model-%1").arg(id), QStringLiteral("tenant-%1").arg(id),
                        session, id, 1, 2 * id));
        ++id;
    };
    for (int i = 0; i < 10; ++i)
        add(t - 100 + i, QStringLiteral("before-%1").arg(i));
    for (int i = 0; i < 40; ++i)
        add(t + (i / 4) * 10, QStringLiteral("tied-%1").arg(i % 13)); // four at each ms, repeating sessions
    for (int i = 0; i < hot; ++i)
        add(t + 1000 + i, QStringLiteral("hot"));
    store(rows);
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const QList<SessionTotalsRecord> all = query.sessionTotals(t, 1000);
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QCOMPARE(all.size(), 14); // hot and tied-0..12
    QCOMPARE(all.first().session, QStringLiteral("hot"));
    QCOMPARE(all.first().requests, hot);
    // tied-10, -11, -12 and tied-9 were last seen at t + 90, written in that order of i = 36..39.
    QCOMPARE(all.at(1).session, QStringLiteral("tied-0")); // i = 39: 39 % 13 = 0
    QCOMPARE(all.at(1).lastSeenMs, t + 90);
    QCOMPARE(all.at(2).session, QStringLiteral("tied-12"));
    QCOMPARE(all.at(3).session, QStringLiteral("tied-11"));
    QCOMPARE(all.at(4).session, QStringLiteral("tied-10"));
    QCOMPARE(all.at(5).lastSeenMs, t + 80);
    for (int limit = 1; limit <= 15; ++limit) {
        const QList<SessionTotalsRecord> some = query.sessionTotals(t, limit);
        QCOMPARE(some.size(), qMin(limit, 14));
        for (int i = 0; i < some.size(); ++i) {
            const SessionTotalsRecord &a = some.at(i);
            const SessionTotalsRecord &b = all.at(i);
            const QString where = QStringLiteral("limit %1, #%2").arg(limit).arg(i);
            QVERIFY2(a.session == b.session, qPrintable(where + QLatin1Char(' ') + a.session + QLatin1String(" vs ") + b.session));
            QVERIFY2(a.tenant == b.tenant && a.model == b.model, qPrintable(where));
            QVERIFY2(a.requests == b.requests && a.promptTokens == b.promptTokens && a.completionTokens == b.completionTokens
                         && a.costMicros == b.costMicros && a.firstSeenMs == b.firstSeenMs && a.lastSeenMs == b.lastSeenMs,
                     qPrintable(where));
        }
    }
}

void tst_UsageQuery::sessionTotalIsAllTime()
{
    const qint64 t = 1'741'600'000'000;
    store({
        row(QStringLiteral("old"), -5, QStringLiteral("model-old"), QStringLiteral("tenant-old"), QStringLiteral("agent-7"), 1, 2, 3),
        row(QStringLiteral("mid"), t, QStringLiteral("model-mid"), QStringLiteral("tenant-mid"), QStringLiteral("agent-7"), 10, 20, 30),
        row(QStringLiteral("new"), t + 86'400'000 * 40LL, QStringLiteral("model-new"), QStringLiteral("tenant-new"),
            QStringLiteral("agent-7"), 100, 200, 300),
        row(QStringLiteral("other"), t + 1, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("agent-8"), 1000, 1000, 1000),
    });
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    const std::optional<SessionTotalsRecord> total = query.sessionTotal(QStringLiteral("agent-7"));
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QVERIFY(total.has_value());
    QCOMPARE(total->session, QStringLiteral("agent-7"));
    QCOMPARE(total->tenant, QStringLiteral("tenant-new"));
    QCOMPARE(total->model, QStringLiteral("model-new"));
    QCOMPARE(total->requests, 3);
    QCOMPARE(total->promptTokens, 111);
    QCOMPARE(total->completionTokens, 222);
    QCOMPARE(total->costMicros, 333);
    QCOMPARE(total->firstSeenMs, -5);
    QCOMPARE(total->lastSeenMs, t + 86'400'000 * 40LL);
}

void tst_UsageQuery::sessionTotalOfAnUnknownSessionIsNothing()
{
    store({row(QStringLiteral("x"), 1000, QStringLiteral("m"), QStringLiteral("t"), QStringLiteral("agent-1"), 1, 1, 1)});
    UsageQuery query;
    QString error;
    QVERIFY2(query.open(m_store->databasePath(), &error), qPrintable(error));
    QVERIFY(!query.sessionTotal(QStringLiteral("agent-2")).has_value());
    QVERIFY(!query.sessionTotal(QStringLiteral("agent")).has_value());
    QVERIFY2(query.lastError().isEmpty(), qPrintable(query.lastError()));
    QVERIFY(query.sessionTotal(QStringLiteral("agent-1")).has_value());
}

QTEST_GUILESS_MAIN(tst_UsageQuery)
#include "tst_UsageQuery.moc"
