// GatewayTotals: totals since start from every recorded row, and per publish the deltas since the
// previous one and the latency percentiles of the rows in between, then a fresh start.
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
        t.takeSincePublish(&first);
        QCOMPARE(first.requestsDelta, 100);
        QCOMPARE(first.tokensDelta, 200);
        QCOMPARE(first.costMicrosDelta, 1000);
        QCOMPARE(first.latencyP50Ms, 51); // sorted[50]
        QCOMPARE(first.latencyP99Ms, 100); // sorted[99]

        // Nothing new: no deltas, and no latencies to report.
        GatewaySnapshot idle = t.totals();
        t.takeSincePublish(&idle);
        QCOMPARE(idle.requestsDelta, 0);
        QCOMPARE(idle.tokensDelta, 0);
        QCOMPARE(idle.costMicrosDelta, 0);
        QCOMPARE(idle.latencyP50Ms, -1);
        QCOMPARE(idle.latencyP99Ms, -1);

        t.add(row(4, 6, 30, 9));
        GatewaySnapshot next = t.totals();
        t.takeSincePublish(&next);
        QCOMPARE(next.requestsTotal, 101);
        QCOMPARE(next.requestsDelta, 1);
        QCOMPARE(next.tokensDelta, 10);
        QCOMPARE(next.costMicrosDelta, 30);
        QCOMPARE(next.latencyP50Ms, 9);
        QCOMPARE(next.latencyP99Ms, 9);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayTotals)
#include "tst_GatewayTotals.moc"
