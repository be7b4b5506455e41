// GatewayTotals: totals since start from every recorded row, and per publish the deltas since the
// previous one, the latency and time-to-first-token percentiles, outcomes, spend by model and
// tenant and the rows in between, then a fresh start; and spend today, which rolls at midnight.
#include "accounting/UsageRecord.h"
#include "core/GatewayTotals.h"

#include <QtTest>

namespace {
UsageRecord row(qint64 prompt, qint64 completion, qint64 cost, qint64 latency, const QString &error = {})
{
    UsageRecord r;
    r.promptTokens = prompt;
    r.completionTokens = completion;
    r.costMicros = cost;
    r.latencyMs = latency;
    r.error = error;
    return r;
}
} // namespace

class tst_GatewayTotals : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void totalsSinceStart()
    {
        GatewayTotals t;
        t.add(row(10, 5, 100, 40));
        t.add(row(3, 0, 0, 7, QStringLiteral("rate_limited")));
        const GatewaySnapshot s = t.totals();
        QCOMPARE(s.requestsTotal, 2);
        QCOMPARE(s.requestsFailed, 1);
        QCOMPARE(s.promptTokens, 13);
        QCOMPARE(s.completionTokens, 5);
        QCOMPARE(s.costMicros, 100);
        QCOMPARE(s.inFlight, 0);
    }

    void deltasAndPercentilesPerPublish()
    {
        GatewayTotals t;
        for (int i = 1; i <= 100; ++i)
            t.add(row(1, 1, 10, 101 - i)); // latencies 100 down to 1
        GatewaySnapshot first = t.totals();
        t.takeSincePublish(&first, 0);
        QCOMPARE(first.requestsDelta, 100);
        QCOMPARE(first.tokensDelta, 200);
        QCOMPARE(first.costMicrosDelta, 1000);
        QCOMPARE(first.latencyP50Ms, 51); // sorted[50]
        QCOMPARE(first.latencyP95Ms, 96); // sorted[95]
        QCOMPARE(first.latencyP99Ms, 100); // sorted[99]

        // Nothing new: no deltas, and no latencies to report.
        GatewaySnapshot idle = t.totals();
        t.takeSincePublish(&idle, 0);
        QCOMPARE(idle.requestsDelta, 0);
        QCOMPARE(idle.tokensDelta, 0);
        QCOMPARE(idle.costMicrosDelta, 0);
        QCOMPARE(idle.latencyP50Ms, -1);
        QCOMPARE(idle.latencyP99Ms, -1);

        t.add(row(4, 6, 30, 9));
        GatewaySnapshot next = t.totals();
        t.takeSincePublish(&next, 0);
        QCOMPARE(next.requestsTotal, 101);
        QCOMPARE(next.requestsDelta, 1);
        QCOMPARE(next.tokensDelta, 10);
        QCOMPARE(next.costMicrosDelta, 30);
        QCOMPARE(next.latencyP50Ms, 9);
        QCOMPARE(next.latencyP99Ms, 9);
    }

    void outcomeOfARow_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("kind");
        using K = OutcomeCounts::Kind;
        QTest::newRow("answered") << 200 << QString() << int(K::Ok);
        QTest::newRow("402 budget") << 402 << QStringLiteral("budget_exceeded") << int(K::BudgetRefused);
        QTest::newRow("stream cut by its budget") << 200 << QStringLiteral("budget_exceeded") << int(K::BudgetRefused);
        QTest::newRow("429 rate limit") << 429 << QStringLiteral("rate_limited") << int(K::RateLimited);
        QTest::newRow("provider's own 429") << 429 << QStringLiteral("upstream_status_429") << int(K::UpstreamError);
        QTest::newRow("403 session blocked") << 403 << QStringLiteral("session_blocked") << int(K::Blocked);
        QTest::newRow("stream ended by a kill") << 200 << QStringLiteral("session_blocked") << int(K::Blocked);
        QTest::newRow("502 upstream") << 502 << QStringLiteral("upstream_error") << int(K::UpstreamError);
        QTest::newRow("upstream vanished mid-stream") << 200 << QStringLiteral("upstream_incomplete") << int(K::UpstreamError);
        QTest::newRow("bad request") << 400 << QStringLiteral("invalid_request") << int(K::OtherError);
        QTest::newRow("client went away") << 499 << QStringLiteral("client_closed") << int(K::OtherError);
    }

    void outcomeOfARow()
    {
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(int, kind);
        UsageRecord r = row(1, 1, 1, 1, error);
        r.status = status;
        QCOMPARE(int(GatewayTotals::outcomeOf(r)), kind);
        GatewayTotals t;
        t.add(r);
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        QCOMPARE(s.outcomesDelta.total(), 1);
        QCOMPARE(s.outcomesDelta[OutcomeCounts::Kind(kind)], 1);
    }

    void timeToFirstTokenOfStreamsOnly()
    {
        GatewayTotals t;
        UsageRecord whole = row(1, 1, 1, 500);
        whole.ttftMs = 500; // a whole answer: its first token is its last, not what TTFT means
        t.add(whole);
        for (int ms : {30, 10, 20}) {
            UsageRecord streamed = row(1, 1, 1, 900);
            streamed.stream = true;
            streamed.ttftMs = ms;
            t.add(streamed);
        }
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        QCOMPARE(s.ttftP50Ms, 20);
        QCOMPARE(s.ttftP95Ms, 30);
    }

    void spendByModelAndTenantKeepsTheLargestAndSumsTheRest()
    {
        GatewayTotals t;
        for (int m = 0; m < 12; ++m) {
            UsageRecord r = row(100 * (m + 1), 0, 10 * (m + 1), 1);
            r.model = QStringLiteral("model-%1").arg(m);
            r.tenant = m % 2 ? QStringLiteral("acme") : QStringLiteral("beta");
            t.add(r);
        }
        t.add(row(0, 0, 0, 1, QStringLiteral("rate_limited"))); // spent nothing: in no slice
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        QCOMPARE(s.byModelDelta.size(), GatewaySnapshot::MaxSlices);
        QCOMPARE(s.byModelDelta.first().key, QStringLiteral("model-11"));
        QCOMPARE(s.byModelDelta.first().tokens, 1200);
        QCOMPARE(s.byModelDelta.last().key, QStringLiteral("other"));
        // model-0 .. model-4 (100..500 tokens) are "other".
        QCOMPARE(s.byModelDelta.last().tokens, 1500);
        QCOMPARE(s.byModelDelta.last().requests, 5);
        qint64 tokens = 0, cost = 0;
        for (const SpendSlice &slice : s.byModelDelta) {
            tokens += slice.tokens;
            cost += slice.costMicros;
        }
        QCOMPARE(tokens, s.tokensDelta);
        QCOMPARE(cost, s.costMicrosDelta);
        QCOMPARE(s.byTenantDelta.size(), 2);
        QCOMPARE(s.byTenantDelta.first().key, QStringLiteral("acme")); // 200+400+...+1200 = 4200
        QCOMPARE(s.byTenantDelta.first().tokens, 4200);
        QCOMPARE(s.byTenantDelta.last().tokens, 3600);

        GatewaySnapshot idle = t.totals();
        t.takeSincePublish(&idle, 0);
        QVERIFY(idle.byModelDelta.isEmpty());
        QVERIFY(idle.byTenantDelta.isEmpty());
    }

    void recordedRowsAreTheLatestAndBounded()
    {
        GatewayTotals t;
        const int n = GatewaySnapshot::MaxRecorded + 7;
        for (int i = 0; i < n; ++i) {
            UsageRecord r = row(1, 1, 1, 1);
            r.id = QString::number(i);
            t.add(r);
        }
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        QCOMPARE(s.recorded.size(), GatewaySnapshot::MaxRecorded);
        QCOMPARE(s.recordedSkipped, 7);
        QCOMPARE(s.recorded.first().id, QStringLiteral("7"));
        QCOMPARE(s.recorded.last().id, QString::number(n - 1));
        GatewaySnapshot idle = t.totals();
        t.takeSincePublish(&idle, 0);
        QVERIFY(idle.recorded.isEmpty());
        QCOMPARE(idle.recordedSkipped, 0);
    }

    void headersLeaveScrubbed()
    {
        GatewayTotals t;
        UsageRecord r = row(1, 1, 1, 1);
        r.requestHeaders = QStringLiteral("authorization: (hidden, 51 characters)\nx-upstream-note: sk-proj-abcdefghijklmnopqrstuvwxyz123456\n"
                                          "x-session-id: s1\n");
        t.add(r);
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        const QString headers = s.recorded.first().requestHeaders;
        QVERIFY2(!headers.contains(QLatin1String("abcdefghijklmnop")), qPrintable(headers));
        QVERIFY2(headers.contains(QLatin1String("authorization: (hidden, 51 characters)")), qPrintable(headers));
        QVERIFY2(headers.contains(QLatin1String("x-session-id: s1")), qPrintable(headers));
    }

    void seededRowsComeWithTheFirstSnapshot()
    {
        GatewayTotals t;
        QList<UsageRecord> stored;
        for (int i = 0; i < 3; ++i) {
            stored.append(row(1, 1, 1, 1));
            stored.last().id = QStringLiteral("old-%1").arg(i);
        }
        t.seedRecent(stored);
        t.add(row(1, 1, 1, 1));
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, 0);
        QCOMPARE(s.recorded.size(), 4);
        QCOMPARE(s.recorded.first().id, QStringLiteral("old-0"));
        QCOMPARE(s.requestsTotal, 1); // the stored rows are not this run's requests
    }

    void spendTodayRollsOverAtLocalMidnight()
    {
        const QDateTime noon(QDate(2026, 12, 1), QTime(12, 0));
        const qint64 midnight = noon.date().startOfDay().toMSecsSinceEpoch();
        GatewayTotals t;
        t.seedToday(midnight, 5000); // stored earlier today
        UsageRecord r = row(1, 1, 700, 1);
        r.endedAt = noon.toMSecsSinceEpoch();
        t.add(r);
        GatewaySnapshot s = t.totals();
        t.takeSincePublish(&s, noon.toMSecsSinceEpoch());
        QCOMPARE(s.dayStartMs, midnight);
        QCOMPARE(s.spentTodayMicros, 5700);

        const qint64 tomorrow = QDateTime(QDate(2026, 12, 2), QTime(0, 0, 1)).toMSecsSinceEpoch();
        GatewaySnapshot next = t.totals();
        t.takeSincePublish(&next, tomorrow);
        QCOMPARE(next.dayStartMs, QDate(2026, 12, 2).startOfDay().toMSecsSinceEpoch());
        QCOMPARE(next.spentTodayMicros, 0);
        QCOMPARE(next.costMicros, 700); // since start is not today
    }
};

QTEST_GUILESS_MAIN(tst_GatewayTotals)
#include "tst_GatewayTotals.moc"
