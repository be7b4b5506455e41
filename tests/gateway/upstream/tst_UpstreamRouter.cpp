// Which upstream a model goes to: priority, then weight, among those whose breakers let traffic
// through; breakers per upstream and per model; the figures the console shows.
#include "upstream/UpstreamRouter.h"

#include <QtTest>

namespace {
UpstreamConfig upstream(const QString &name, int priority, int weight = 1, QStringList models = {})
{
    UpstreamConfig u;
    u.name = name;
    u.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:1/v1"));
    u.priority = priority;
    u.weight = weight;
    u.setModels(models);
    u.breaker.consecutive = 3;
    u.breaker.cooldownMs = 1000;
    u.healthCheck.enabled = false; // requests probe, as without checks (activeChecksProbe... tests checks)
    return u;
}

QString picked(UpstreamRouter &router, const QString &model, qint64 now, double random = 0.0)
{
    const UpstreamRouter::Pick p = router.pick(model, ApiDialect::OpenAi, now, random);
    return p.upstream ? p.upstream->name : QString();
}
} // namespace

class tst_UpstreamRouter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lowerPriorityServesFirst()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("primary"), 0), upstream(QStringLiteral("backup"), 1)});
        for (double x : {0.0, 0.5, 0.99})
            QCOMPARE(picked(r, QStringLiteral("m"), 0, x), QStringLiteral("primary"));
    }

    void equalPrioritiesShareByWeight()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("a"), 0, 1), upstream(QStringLiteral("b"), 0, 3)});
        int a = 0;
        for (int i = 0; i < 100; ++i)
            a += picked(r, QStringLiteral("m"), 0, i / 100.0) == QLatin1String("a");
        QCOMPARE(a, 25);
    }

    void onlyUpstreamsServingTheModelAndDialect()
    {
        UpstreamRouter r;
        UpstreamConfig claude = upstream(QStringLiteral("claude"), 0, 1, {QStringLiteral("claude-*")});
        claude.dialect = ApiDialect::Anthropic;
        UpstreamConfig off = upstream(QStringLiteral("off"), 0, 1, {QStringLiteral("gpt-*")});
        off.enabled = false;
        r.setUpstreams({claude, off, upstream(QStringLiteral("ds"), 1, 1, {QStringLiteral("deepseek-*")})});
        QCOMPARE(picked(r, QStringLiteral("deepseek-chat"), 0), QStringLiteral("ds"));
        const UpstreamRouter::Pick none = r.pick(QStringLiteral("gpt-4o"), ApiDialect::OpenAi, 0, 0);
        QVERIFY(!none.upstream);
        QCOMPARE(none.candidates, 0); // disabled: not a candidate at all
        QCOMPARE(r.pick(QStringLiteral("claude-x"), ApiDialect::Anthropic, 0, 0).upstream->name, QStringLiteral("claude"));
    }

    void anOpenBreakerSendsTrafficToTheNextAndProbesAfterItsCooldown()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("primary"), 0), upstream(QStringLiteral("backup"), 1)});
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(picked(r, QStringLiteral("m"), 100 + i), QStringLiteral("primary"));
            r.record(QStringLiteral("primary"), QStringLiteral("m"), 100 + i, 5, -1, QStringLiteral("503"));
        }
        const QList<UpstreamTransitionView> opened = r.takeTransitions();
        QVERIFY(!opened.isEmpty());
        QCOMPARE(opened.first().upstream, QStringLiteral("primary"));
        QCOMPARE(opened.first().to, QStringLiteral("open"));
        QCOMPARE(picked(r, QStringLiteral("m"), 200), QStringLiteral("backup"));
        QCOMPARE(picked(r, QStringLiteral("m"), 1101), QStringLiteral("backup"));
        // After the cooldown one probe goes to the primary; its success closes the breaker.
        QCOMPARE(picked(r, QStringLiteral("m"), 1103), QStringLiteral("primary"));
        QCOMPARE(picked(r, QStringLiteral("m"), 1104), QStringLiteral("backup")); // the probe is out
        r.record(QStringLiteral("primary"), QStringLiteral("m"), 1150, 5, -1, QString());
        QCOMPARE(picked(r, QStringLiteral("m"), 1160), QStringLiteral("primary"));
        QCOMPARE(r.views(1160).first().breaker, QStringLiteral("closed"));
    }

    void activeChecksProbeAnOpenBreakerInsteadOfRequests()
    {
        UpstreamRouter r;
        UpstreamConfig primary = upstream(QStringLiteral("primary"), 0);
        primary.healthCheck.enabled = true;
        r.setUpstreams({primary, upstream(QStringLiteral("backup"), 1)});
        for (int i = 0; i < 3; ++i) {
            picked(r, QStringLiteral("m"), 100);
            r.record(QStringLiteral("primary"), QStringLiteral("m"), 100, 5, -1, QStringLiteral("503"));
        }
        r.takeTransitions();
        QVERIFY(r.dueChecks(1099).isEmpty());
        // Past the cooldown: a check is due, once, and requests keep going to the backup.
        const QList<UpstreamConfig> due = r.dueChecks(1100);
        QCOMPARE(due.size(), 1);
        QCOMPARE(due.first().name, QStringLiteral("primary"));
        QVERIFY(r.dueChecks(1101).isEmpty());
        QCOMPARE(picked(r, QStringLiteral("m"), 1102), QStringLiteral("backup"));
        r.checkEnded(QStringLiteral("primary"), 1200, UpstreamBreaker::Check::Unhealthy, QStringLiteral("connection refused"));
        QCOMPARE(r.views(1200).first().lastProbe, QStringLiteral("connection refused"));
        QCOMPARE(r.views(1200).first().lastProbeAtMs, qint64(1200));
        QCOMPARE(picked(r, QStringLiteral("m"), 1300), QStringLiteral("backup"));
        QCOMPARE(r.dueChecks(2200).size(), 1);
        r.checkEnded(QStringLiteral("primary"), 2250, UpstreamBreaker::Check::Healthy, QStringLiteral("200 in 3 ms"));
        const QList<UpstreamTransitionView> moves = r.takeTransitions();
        QCOMPARE(moves.size(), 1);
        QCOMPARE(moves.first().to, QStringLiteral("half_open"));
        // Half-open: a request probes it, and closes it.
        QCOMPARE(picked(r, QStringLiteral("m"), 2260), QStringLiteral("primary"));
        r.record(QStringLiteral("primary"), QStringLiteral("m"), 2270, 5, -1, QString());
        QCOMPARE(r.views(2270).first().breaker, QStringLiteral("closed"));
        // A disabled upstream is never checked.
        primary.enabled = false;
        r.setUpstreams({primary});
        QVERIFY(r.dueChecks(100000).isEmpty());
    }

    void everyBreakerOpenSaysWhyAndWhen()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("only"), 0)});
        for (int i = 0; i < 3; ++i) {
            picked(r, QStringLiteral("m"), 10);
            r.record(QStringLiteral("only"), QStringLiteral("m"), 10, 5, -1, QStringLiteral("502"));
        }
        const UpstreamRouter::Pick p = r.pick(QStringLiteral("m"), ApiDialect::OpenAi, 20, 0);
        QVERIFY(!p.upstream);
        QCOMPARE(p.candidates, 1);
        QCOMPARE(p.retryAtMs, 1010);
        QVERIFY2(p.why.contains(QLatin1String("only")) && p.why.contains(QLatin1String("502")), qPrintable(p.why));
    }

    void aModelThatFailsAloneOpensOnlyItsOwnBreaker()
    {
        UpstreamRouter r;
        UpstreamConfig u = upstream(QStringLiteral("p"), 0);
        u.breaker.consecutive = 3;
        r.setUpstreams({u, upstream(QStringLiteral("backup"), 1)});
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(picked(r, QStringLiteral("broken"), 10 + i), QStringLiteral("p"));
            r.record(QStringLiteral("p"), QStringLiteral("broken"), 10 + i, 5, -1, QStringLiteral("500"));
            // Another model keeps the upstream's own breaker closed.
            picked(r, QStringLiteral("fine"), 10 + i);
            r.record(QStringLiteral("p"), QStringLiteral("fine"), 10 + i, 5, -1, QString());
        }
        QCOMPARE(picked(r, QStringLiteral("broken"), 20), QStringLiteral("backup"));
        QCOMPARE(picked(r, QStringLiteral("fine"), 20), QStringLiteral("p"));
        const UpstreamView v = r.views(20).first();
        QCOMPARE(v.breaker, QStringLiteral("closed"));
        QCOMPARE(v.modelBreakers.size(), 1);
        QCOMPARE(v.modelBreakers.first().model, QStringLiteral("broken"));
        QCOMPARE(v.modelBreakers.first().state, QStringLiteral("open"));
    }

    void figuresCoverTheLastMinute()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("u"), 0)});
        r.started(QStringLiteral("u"));
        QCOMPARE(r.views(0).first().inFlight, 1);
        r.ended(QStringLiteral("u"));
        for (int i = 1; i <= 100; ++i)
            r.record(QStringLiteral("u"), QStringLiteral("m"), 1000, i, i / 2, QString());
        r.record(QStringLiteral("u"), QStringLiteral("m"), 1000, 9999, -1, QStringLiteral("timeout"));
        UpstreamView v = r.views(2000).first();
        QCOMPARE(v.inFlight, 0);
        QCOMPARE(v.requests, 101);
        QCOMPARE(v.failures, 1);
        QCOMPARE(v.latencyP50Ms, 51); // of the successes only
        QCOMPARE(v.latencyP99Ms, 100);
        QCOMPARE(v.ttftP50Ms, 25);
        QVERIFY(qAbs(v.errorRate - 1.0 / 101) < 1e-9);
        v = r.views(1000 + 60'001).first();
        QCOMPARE(v.requests, 0);
        QCOMPARE(v.latencyP50Ms, -1);
    }

    void aReloadKeepsTheStateOfUpstreamsThatStay()
    {
        UpstreamRouter r;
        r.setUpstreams({upstream(QStringLiteral("a"), 0), upstream(QStringLiteral("b"), 1)});
        for (int i = 0; i < 3; ++i)
            r.record(QStringLiteral("a"), QStringLiteral("m"), 10, 5, -1, QStringLiteral("503"));
        r.setUpstreams({upstream(QStringLiteral("a"), 0, 2), upstream(QStringLiteral("c"), 1)});
        const QList<UpstreamView> v = r.views(20);
        QCOMPARE(v.size(), 2);
        QCOMPARE(v[0].breaker, QStringLiteral("open"));
        QCOMPARE(v[0].weight, 2);
        QCOMPARE(v[1].name, QStringLiteral("c"));
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamRouter)
#include "tst_UpstreamRouter.moc"
