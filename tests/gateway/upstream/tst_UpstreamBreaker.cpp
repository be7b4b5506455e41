// UpstreamBreaker: opens on failures in a row and on an error rate over its window (slow answers
// counting as failures), refuses while open, lets probes through after the cooldown, closes on a
// probe's success and opens again with the cooldown doubled on a probe's failure; every change of
// state is reported once, with its reason.
#include "upstream/UpstreamBreaker.h"

#include <QtTest>

using State = UpstreamBreaker::State;

class tst_UpstreamBreaker : public QObject
{
    Q_OBJECT
private slots:
    void failuresInARowOpenIt()
    {
        UpstreamBreaker breaker; // 5 in a row
        qint64 t = 1'000;
        for (int i = 0; i < 4; ++i) {
            QVERIFY(breaker.allow(t));
            breaker.record(t += 10, 50, QStringLiteral("503"));
        }
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(t += 10, 50); // a success breaks the row
        for (int i = 0; i < 4; ++i)
            breaker.record(t += 10, 50, QStringLiteral("503"));
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(t += 10, 50, QStringLiteral("connect refused"));
        QCOMPARE(breaker.state(), State::Open);
        QCOMPARE(breaker.reason(), QStringLiteral("5 failures in a row (last: connect refused)"));
        QVERIFY(!breaker.allow(t + 1));
        QCOMPARE(breaker.retryAtMs(), t + 15'000);
        const QList<UpstreamBreaker::Transition> moves = breaker.takeTransitions();
        QCOMPARE(moves.size(), 1);
        QCOMPARE(moves.first().from, State::Closed);
        QCOMPARE(moves.first().to, State::Open);
        QCOMPARE(moves.first().atMs, t);
        QVERIFY(breaker.takeTransitions().isEmpty());
    }

    void anErrorRateOverTheWindowOpensIt()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 0; // only the rate
        policy.minRequests = 10;
        policy.errorRate = 0.5;
        policy.windowMs = 10'000;
        UpstreamBreaker breaker(policy);
        qint64 t = 0;
        // Failing every other request: 4 of 9 is under the minimum of requests, 5 of 10 opens.
        for (int i = 0; i < 9; ++i)
            breaker.record(t += 100, 20, i % 2 ? QString() : QStringLiteral("502"));
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(t += 100, 20); // 5 failures of 10, but a success: checked on failures only
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(t += 100, 20, QStringLiteral("502"));
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY2(breaker.reason().startsWith(QLatin1String("6 of the last 11 requests failed in 10 s")), qPrintable(breaker.reason()));
    }

    void oldOutcomesLeaveTheWindow()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 0;
        policy.minRequests = 4;
        policy.windowMs = 1'000;
        UpstreamBreaker breaker(policy);
        breaker.record(0, 10, QStringLiteral("500"));
        breaker.record(100, 10, QStringLiteral("500"));
        breaker.record(200, 10, QStringLiteral("500"));
        // A second later those three have left: one failure of one is under the minimum.
        breaker.record(1'500, 10, QStringLiteral("500"));
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(1'600, 10);
        breaker.record(1'700, 10, QStringLiteral("500"));
        breaker.record(1'800, 10, QStringLiteral("500")); // 3 of 4 within the second
        QCOMPARE(breaker.state(), State::Open);
    }

    void slowAnswersCountAsFailures()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 3;
        policy.slowMs = 2'000;
        UpstreamBreaker breaker(policy);
        breaker.record(10, 1'900);
        breaker.record(20, 2'500);
        breaker.record(30, 3'000);
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(40, 4'200);
        QCOMPARE(breaker.state(), State::Open);
        QCOMPARE(breaker.reason(), QStringLiteral("3 failures in a row (last: slow: 4200 ms)"));
    }

    void afterTheCooldownAProbeClosesIt()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 1;
        policy.cooldownMs = 1'000;
        policy.halfOpenProbes = 2;
        UpstreamBreaker breaker(policy);
        breaker.record(0, 10, QStringLiteral("503"));
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY(!breaker.allow(999));
        QVERIFY(breaker.allow(1'000)); // half-open: two probes at once, no more
        QCOMPARE(breaker.state(), State::HalfOpen);
        QVERIFY(breaker.allow(1'001));
        QVERIFY(!breaker.allow(1'002));
        breaker.record(1'050, 40);
        QCOMPARE(breaker.state(), State::Closed);
        QVERIFY(breaker.allow(1'060));
        const QList<UpstreamBreaker::Transition> moves = breaker.takeTransitions();
        QCOMPARE(moves.size(), 3);
        QCOMPARE(moves.at(1).to, State::HalfOpen);
        QCOMPARE(moves.at(1).atMs, 1'000);
        QCOMPARE(moves.at(2).from, State::HalfOpen);
        QCOMPARE(moves.at(2).to, State::Closed);
        QCOMPARE(moves.at(2).reason, QStringLiteral("probe succeeded"));
    }

    void aFailedProbeDoublesTheCooldownUpToItsMaximum()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 1;
        policy.cooldownMs = 1'000;
        policy.maxCooldownMs = 3'000;
        UpstreamBreaker breaker(policy);
        breaker.record(0, 10, QStringLiteral("529"));
        qint64 t = 0;
        for (const qint64 cooldown : {2'000, 3'000, 3'000}) {
            t = breaker.retryAtMs();
            QVERIFY(breaker.allow(t));
            breaker.record(t + 5, 10, QStringLiteral("529"));
            QCOMPARE(breaker.state(), State::Open);
            QCOMPARE(breaker.retryAtMs(), t + 5 + cooldown);
            QCOMPARE(breaker.reason(), QStringLiteral("probe failed (529)"));
        }
        // Recovered: closed again, and the next opening starts from the first cooldown.
        t = breaker.retryAtMs();
        QVERIFY(breaker.allow(t));
        breaker.record(t + 5, 10);
        QCOMPARE(breaker.state(), State::Closed);
        breaker.record(t + 10, 10, QStringLiteral("529"));
        QCOMPARE(breaker.retryAtMs(), t + 10 + 1'000);
    }

    void outcomesOfRequestsLetThroughBeforeItOpenedAreIgnored()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 2;
        UpstreamBreaker breaker(policy);
        breaker.record(0, 10, QStringLiteral("500"));
        breaker.record(1, 10, QStringLiteral("500"));
        QCOMPARE(breaker.state(), State::Open);
        const qint64 retryAt = breaker.retryAtMs();
        breaker.record(2, 10); // a request that was already on its way
        breaker.record(3, 10, QStringLiteral("500"));
        QCOMPARE(breaker.state(), State::Open);
        QCOMPARE(breaker.retryAtMs(), retryAt);
        QCOMPARE(breaker.takeTransitions().size(), 1);
    }

    void aBreakerNobodyAsksKeepsOnlyItsLatestTransitions()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 1;
        policy.cooldownMs = 10;
        policy.maxCooldownMs = 10;
        UpstreamBreaker breaker(policy);
        qint64 t = 0;
        for (int i = 0; i < 100; ++i) { // open, half-open, closed: three transitions a round
            breaker.record(t += 1, 5, QStringLiteral("503"));
            QVERIFY(breaker.allow(t += 10));
            breaker.record(t += 1, 5);
        }
        const QList<UpstreamBreaker::Transition> moves = breaker.takeTransitions();
        QCOMPARE(moves.size(), UpstreamBreaker::MaxTransitionsKept);
        QCOMPARE(moves.last().atMs, t);
        QCOMPARE(moves.last().to, State::Closed);
    }

    void aBusyWindowCountsEveryOutcome()
    {
        // Thousands of outcomes in one window, as a busy upstream has: all of them counted.
        UpstreamBreaker::Policy policy;
        policy.consecutive = 0;
        policy.minRequests = 100;
        policy.errorRate = 0.25;
        policy.windowMs = 10'000;
        UpstreamBreaker breaker(policy);
        for (int i = 0; i < 8'000; ++i) // 1 in 5 failing, one a millisecond, all within the window
            breaker.record(i, 5, i % 5 == 0 ? QStringLiteral("500") : QString());
        QCOMPARE(breaker.state(), State::Closed);
        // Then only failures: 1,600 + k of 8,000 + k reach a quarter at k = 534.
        int k = 0;
        while (breaker.state() == State::Closed && k < 1'000)
            breaker.record(8'000 + k++, 5, QStringLiteral("500"));
        QCOMPARE(k, 534);
        QCOMPARE(breaker.reason(), QStringLiteral("2134 of the last 8534 requests failed in 10 s (last: 500)"));
    }

    void withActiveChecksNoRequestProbesUntilACheckIsHealthy()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 1;
        policy.cooldownMs = 1'000;
        UpstreamBreaker breaker(policy);
        breaker.setActiveChecks(true);
        breaker.record(0, 10, QStringLiteral("503"));
        QCOMPARE(breaker.state(), State::Open);
        breaker.takeTransitions();
        QVERIFY(!breaker.checkDue(999));
        QVERIFY(breaker.checkDue(1'000));
        // Past the cooldown a request still may not go: the check goes first.
        QVERIFY(!breaker.wouldAllow(1'000));
        QVERIFY(!breaker.allow(1'000));
        breaker.checkStarted();
        QVERIFY(!breaker.checkDue(1'500)); // one at a time
        breaker.checkEnded(1'600, UpstreamBreaker::Check::Unhealthy, QStringLiteral("connection refused"));
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY(breaker.takeTransitions().isEmpty());
        // Unhealthy: another cooldown from the check's end, no request spent.
        QVERIFY(!breaker.checkDue(2'599));
        QVERIFY(breaker.checkDue(2'600));
        breaker.checkStarted();
        breaker.checkEnded(2'700, UpstreamBreaker::Check::Healthy, QStringLiteral("200 in 5 ms"));
        QCOMPARE(breaker.state(), State::HalfOpen);
        const QList<UpstreamBreaker::Transition> moves = breaker.takeTransitions();
        QCOMPARE(moves.size(), 1);
        QVERIFY2(moves.first().reason.contains(QLatin1String("health check ok (200 in 5 ms)")), qPrintable(moves.first().reason));
        // Now one request probes, and its success closes it.
        QVERIFY(breaker.allow(2'700));
        QVERIFY(!breaker.allow(2'700));
        breaker.record(2'800, 10);
        QCOMPARE(breaker.state(), State::Closed);
    }

    void aCheckTheUpstreamCannotAnswerFallsBackToProbingWithRequests()
    {
        UpstreamBreaker::Policy policy;
        policy.consecutive = 1;
        policy.cooldownMs = 1'000;
        UpstreamBreaker breaker(policy);
        breaker.setActiveChecks(true);
        breaker.record(0, 10, QStringLiteral("500"));
        breaker.checkStarted();
        breaker.checkEnded(1'000, UpstreamBreaker::Check::Unsupported, QStringLiteral("answered 404"));
        QCOMPARE(breaker.state(), State::Open);
        QVERIFY(!breaker.checkDue(5'000));
        QVERIFY(breaker.allow(1'000)); // past the cooldown, as without checks
        QCOMPARE(breaker.state(), State::HalfOpen);
    }

    void stateNames()
    {
        QCOMPARE(UpstreamBreaker::stateName(State::Closed), QStringLiteral("closed"));
        QCOMPARE(UpstreamBreaker::stateName(State::Open), QStringLiteral("open"));
        QCOMPARE(UpstreamBreaker::stateName(State::HalfOpen), QStringLiteral("half_open"));
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamBreaker)
#include "tst_UpstreamBreaker.moc"
