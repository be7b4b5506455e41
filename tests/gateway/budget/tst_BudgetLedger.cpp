#include "LedgerFixtures.h"
#include "budget/ManualBudgetClock.h"

#include <QJsonObject>
#include <QTest>

#include <ctime>

using namespace LedgerFixtures;

// Reservation, in-stream cut, settlement, windows and rule changes of the budget ledger, with a
// hand-moved clock in Europe/Berlin. Alerts and reports: tst_BudgetLedgerReports.
class tst_BudgetLedger : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void admission_data();
    void admission();
    void denialChangesNothing();
    void perSubjectVersusGlobal();
    void concurrentReservationsCannotOverspend();
    void sharedCounterIsHeldOnce();
    void progressCutsExactlyWhenCrossing_data();
    void progressCutsExactlyWhenCrossing();
    void othersStreamsCountTowardsTheCut();
    void reservationGrowsWithActualUsage();
    void settle_data();
    void settle();
    void settleWithoutCountingTheRequest();
    void spendNeverGoesBackwards();
    void unknownIdsAreIgnored();
    void duplicateIdReleasesTheEarlierReservation();
    void perRequestRule();
    void rolloverAtLocalMidnight();
    void rolloverAtMonthEnd();
    void staleWindowsArePruned();
    void loweringACapCutsRequestsInFlight();
    void newRuleHoldsRequestsInFlight();
    void removedRuleStillRecordsSpend();
    void editingACapKeepsSpend();
    void restore();

private:
    ManualBudgetClock m_clock;
};

void tst_BudgetLedger::initTestCase()
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
}

void tst_BudgetLedger::init()
{
    m_clock.setNow(local(2026, 7, 15, 12, 0));
}

void tst_BudgetLedger::admission_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QList<qint64>>("spentBefore"); // tokens, cost micros per earlier request of acme
    QTest::addColumn<qint64>("worstTokens");
    QTest::addColumn<qint64>("worstCost");
    QTest::addColumn<QString>("deniedOn"); // empty: admitted

    const QByteArray tokenCap = R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])";
    const QByteArray costCap = R"([{"scope": "tenant", "window": "day", "max_cost": 5}])";
    const QByteArray requestCap = R"([{"scope": "tenant", "window": "day", "max_requests": 2}])";
    QTest::newRow("no rules") << QByteArray("[]") << QList<qint64>{} << qint64(1'000'000) << qint64(0) << "";
    QTest::newRow("rule for someone else") << QByteArray(R"([{"scope": "tenant", "match": "globex", "window": "day", "max_tokens": 1}])")
                                           << QList<qint64>{} << qint64(1000) << qint64(0) << "";
    QTest::newRow("tokens fit exactly") << tokenCap << QList<qint64>{900, 0} << qint64(100) << qint64(0) << "";
    QTest::newRow("tokens over by one") << tokenCap << QList<qint64>{900, 0} << qint64(101) << qint64(0) << "tokens";
    QTest::newRow("worst alone over") << tokenCap << QList<qint64>{} << qint64(1001) << qint64(0) << "tokens";
    QTest::newRow("cost fits exactly") << costCap << QList<qint64>{0, 4'880'000} << qint64(0) << qint64(120'000) << "";
    QTest::newRow("cost over by a micro") << costCap << QList<qint64>{0, 4'880'000} << qint64(0) << qint64(120'001) << "cost";
    QTest::newRow("second request fits") << requestCap << QList<qint64>{1, 0} << qint64(1) << qint64(0) << "";
    QTest::newRow("third request refused") << requestCap << QList<qint64>{1, 0, 1, 0} << qint64(1) << qint64(0) << "requests";
    QTest::newRow("zero cap refuses any cost") << QByteArray(R"([{"scope": "global", "window": "total", "max_cost": 0}])")
                                                 << QList<qint64>{} << qint64(0) << qint64(1) << "cost";
    QTest::newRow("first of several dimensions") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 10, "max_cost": 1}])")
                                                 << QList<qint64>{} << qint64(11) << qint64(2'000'000) << "tokens";
}

void tst_BudgetLedger::admission()
{
    QFETCH(QByteArray, rules);
    QFETCH(QList<qint64>, spentBefore);
    QFETCH(qint64, worstTokens);
    QFETCH(qint64, worstCost);
    QFETCH(QString, deniedOn);
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(::rules(rules));
    for (int i = 0; i + 1 < spentBefore.size(); i += 2) {
        const QString id = QStringLiteral("before-%1").arg(i);
        QVERIFY(ledger.reserve(Acme, {}, id).admitted());
        ledger.settle(id, {spentBefore[i], spentBefore[i + 1], 0, 0});
    }
    const BudgetAdmission admission = ledger.reserve(Acme, {worstTokens, worstCost, 0, 0}, QStringLiteral("r"));
    QCOMPARE(admission.admitted(), deniedOn.isEmpty());
    QCOMPARE(ledger.isInFlight(QStringLiteral("r")), deniedOn.isEmpty());
    if (!deniedOn.isEmpty()) {
        QCOMPARE(admission.denial->dimension, deniedOn);
        QVERIFY(!admission.denial->message.isEmpty());
    } else {
        QCOMPARE(admission.reservationId, QStringLiteral("r"));
    }
}

void tst_BudgetLedger::denialChangesNothing()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([
        {"scope": "global", "window": "day", "max_tokens": 1000000},
        {"scope": "tenant", "window": "day", "max_tokens": 1000000},
        {"scope": "session", "window": "total", "max_tokens": 500}])"));
    QVERIFY(ledger.reserve(Acme, tokens(300), QStringLiteral("a")).admitted());
    const QList<CounterKey> keys = ledger.counterKeys();
    QList<BudgetCounterUsage> before;
    for (const CounterKey &key : keys)
        before.append(ledger.counter(key));

    // The third rule refuses after the first two have already been found fine: none of them moves.
    const BudgetAdmission admission = ledger.reserve(Acme, tokens(201), QStringLiteral("b"));
    QVERIFY(!admission.admitted());
    QCOMPARE(admission.denial->rule.scope, BudgetScope::Session);
    QCOMPARE(admission.denial->spent, 0);
    QCOMPARE(admission.denial->reserved, 300);
    QCOMPARE(admission.denial->requested, 201);
    QCOMPARE(admission.denial->cap, 500);
    QCOMPARE(ledger.counterKeys().size(), keys.size());
    for (int i = 0; i < keys.size(); ++i) {
        const BudgetCounterUsage after = ledger.counter(keys[i]);
        QCOMPARE(after.spent, before[i].spent);
        QCOMPARE(after.reserved, before[i].reserved);
        QCOMPARE(after.inFlight, before[i].inFlight);
    }
    QVERIFY(!ledger.isInFlight(QStringLiteral("b")));
    QCOMPARE(ledger.inFlightCount(), 1);
    // A new subject refused by a rule creates no counters for it either.
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 10},
                              {"scope": "global", "window": "day", "max_tokens": 5}])"));
    QVERIFY(!ledger.reserve(Globex, tokens(6), QStringLiteral("c")).admitted());
    QCOMPARE(ledger.counterKeys().size(), keys.size());
}

void tst_BudgetLedger::perSubjectVersusGlobal()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> set = rules(R"([{"scope": "tenant", "match": "*", "window": "day", "max_tokens": 100},
                                            {"scope": "global", "window": "day", "max_tokens": 150}])");
    ledger.setRules(set);
    QVERIFY(ledger.reserve(Acme, tokens(100), QStringLiteral("a1")).admitted());
    ledger.settle(QStringLiteral("a1"), tokens(100));
    // acme's own counter is full; globex has its own.
    QCOMPARE(ledger.reserve(Acme, tokens(1), QStringLiteral("a2")).denial->rule.scope, BudgetScope::Tenant);
    QVERIFY(ledger.reserve(Globex, tokens(50), QStringLiteral("g1")).admitted());
    ledger.settle(QStringLiteral("g1"), tokens(50));
    // Now the sum of everything is at the global cap.
    const auto denial = ledger.reserve(Globex, tokens(1), QStringLiteral("g2")).denial;
    QVERIFY(denial);
    QCOMPARE(denial->rule.scope, BudgetScope::Global);
    QCOMPARE(denial->subject, QString());
    QCOMPARE(ledger.counter(ledger.keyFor(set[0], Acme)).spent.tokens, 100);
    QCOMPARE(ledger.counter(ledger.keyFor(set[0], Globex)).spent.tokens, 50);
    QCOMPARE(ledger.counter(ledger.keyFor(set[1], Globex)).spent.tokens, 150);
    QCOMPARE(ledger.keyFor(set[1], Acme), ledger.keyFor(set[1], Globex));
}

void tst_BudgetLedger::concurrentReservationsCannotOverspend()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000, "max_cost": 1}])"));
    QVERIFY(ledger.reserve(Acme, {300, 300'000, 0, 0}, QStringLiteral("1")).admitted());
    QVERIFY(ledger.reserve(Acme, {300, 300'000, 0, 0}, QStringLiteral("2")).admitted());
    QVERIFY(ledger.reserve(Acme, {300, 300'000, 0, 0}, QStringLiteral("3")).admitted());
    // Nothing spent yet, but 900 tokens are held: a fourth worst case of 300 does not fit.
    const auto denial = ledger.reserve(Acme, {300, 0, 0, 0}, QStringLiteral("4")).denial;
    QVERIFY(denial);
    QCOMPARE(denial->spent, 0);
    QCOMPARE(denial->reserved, 900);
    QVERIFY(ledger.reserve(Acme, {100, 100'000, 0, 0}, QStringLiteral("5")).admitted());
    // Settling below the worst case frees the difference.
    ledger.settle(QStringLiteral("1"), {50, 50'000, 0, 0});
    QVERIFY(ledger.reserve(Acme, {250, 250'000, 0, 0}, QStringLiteral("6")).admitted());
    const BudgetCounterUsage c = ledger.counter(ledger.keyFor(ledger.rules().first(), Acme));
    QCOMPARE(c.spent.tokens + c.reserved.tokens, 1000);
    QCOMPARE(c.spent.costMicros + c.reserved.costMicros, 1'000'000);
    QCOMPARE(c.reserved.requests, 4);
    QCOMPARE(c.inFlight.requests, 4);
}

void tst_BudgetLedger::sharedCounterIsHeldOnce()
{
    // Two rules differing only in caps share one counter, which holds each request once.
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000},
                              {"scope": "tenant", "window": "day", "max_cost": 2, "name": "money"}])"));
    QVERIFY(ledger.reserve(Acme, {400, 1'000'000, 0, 0}, QStringLiteral("a")).admitted());
    QCOMPARE(ledger.counterKeys().size(), 1);
    QCOMPARE(ledger.holdsOf(QStringLiteral("a")).size(), 1);
    QCOMPARE(ledger.counter(ledger.counterKeys().first()).reserved.tokens, 400);
    const auto denial = ledger.reserve(Acme, {400, 1'000'001, 0, 0}, QStringLiteral("b")).denial;
    QVERIFY(denial);
    QCOMPARE(denial->rule.name, QStringLiteral("money"));
    QCOMPARE(ledger.settle(QStringLiteral("a"), {10, 10, 0, 0}).size(), 1);
}

void tst_BudgetLedger::progressCutsExactlyWhenCrossing_data()
{
    QTest::addColumn<QList<qint64>>("steps");     // cumulative actual tokens
    QTest::addColumn<int>("firstCut");            // index of the first step that must cut; -1 none
    QTest::newRow("up to the cap") << QList<qint64>{100, 500, 999, 1000} << -1;
    QTest::newRow("one past the cap") << QList<qint64>{100, 500, 1000, 1001} << 3;
    QTest::newRow("big chunk past") << QList<qint64>{100, 5000} << 1;
    QTest::newRow("first chunk past") << QList<qint64>{1001} << 0;
}

void tst_BudgetLedger::progressCutsExactlyWhenCrossing()
{
    QFETCH(QList<qint64>, steps);
    QFETCH(int, firstCut);
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 1000}])"));
    QVERIFY(ledger.reserve(Acme, tokens(200), QStringLiteral("s")).admitted());
    for (int i = 0; i < steps.size(); ++i) {
        const auto denial = ledger.progress(QStringLiteral("s"), tokens(steps[i]));
        QCOMPARE(bool(denial), firstCut >= 0 && i >= firstCut);
        if (denial) {
            QCOMPARE(denial->dimension, QStringLiteral("tokens"));
            QCOMPARE(denial->spent, steps[i]);
            QCOMPARE(denial->cap, 1000);
            QCOMPARE(denial->windowResetMs, 0);
            QVERIFY(denial->message.contains(QStringLiteral("cut off")));
        }
    }
    // The real usage counts in full, past the cap too: it was really spent.
    const auto deltas = ledger.settle(QStringLiteral("s"), tokens(steps.last()));
    QCOMPARE(deltas.size(), 1);
    QCOMPARE(deltas.first().tokens, steps.last());
}

void tst_BudgetLedger::othersStreamsCountTowardsTheCut()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_cost": 1}])"));
    QVERIFY(ledger.reserve(Acme, dollars(0.5), QStringLiteral("a")).admitted());
    QVERIFY(ledger.reserve(Acme, dollars(0.5), QStringLiteral("b")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), dollars(0.6)));  // grows a's hold; sum 0.6
    QVERIFY(!ledger.progress(QStringLiteral("b"), dollars(0.4)));  // sum exactly 1.0
    // b's next chunk passes the cap: cut. a is cut at its next chunk even if it stands still.
    QVERIFY(ledger.progress(QStringLiteral("b"), dollars(0.41)));
    const auto cutA = ledger.progress(QStringLiteral("a"), dollars(0.6));
    QVERIFY(cutA);
    QCOMPARE(cutA->dimension, QStringLiteral("cost"));
    QCOMPARE(cutA->spent, 1'010'000);
}

void tst_BudgetLedger::reservationGrowsWithActualUsage()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])"));
    const CounterKey key = ledger.keyFor(ledger.rules().first(), Acme);
    QVERIFY(ledger.reserve(Acme, tokens(100), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(60)));
    QCOMPARE(ledger.counter(key).reserved.tokens, 100);
    QCOMPARE(ledger.counter(key).inFlight.tokens, 60);
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(450)));
    QCOMPARE(ledger.counter(key).reserved.tokens, 450);
    QCOMPARE(ledger.counter(key).inFlight.tokens, 450);
    QCOMPARE(ledger.holdsOf(QStringLiteral("a")).first().tokens, 450);
    // Others see the grown hold: 450 + 551 > 1000.
    QVERIFY(!ledger.reserve(Acme, tokens(551), QStringLiteral("b")).admitted());
    QVERIFY(ledger.reserve(Acme, tokens(550), QStringLiteral("b")).admitted());
    // A hold never shrinks while streaming (a lower report is taken as the actual, not the hold).
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(300)));
    QCOMPARE(ledger.counter(key).reserved.tokens, 1000);
    QCOMPARE(ledger.counter(key).inFlight.tokens, 300);
    ledger.settle(QStringLiteral("a"), tokens(300));
    ledger.settle(QStringLiteral("b"), tokens(0));
    QCOMPARE(ledger.counter(key).reserved, BudgetAmounts());
    QCOMPARE(ledger.counter(key).inFlight, BudgetAmounts());
    QCOMPARE(ledger.counter(key).spent, (BudgetAmounts{300, 0, 2}));
}

void tst_BudgetLedger::settle_data()
{
    QTest::addColumn<qint64>("worst");
    QTest::addColumn<qint64>("progressed");
    QTest::addColumn<qint64>("real");
    QTest::newRow("lower than reserved") << qint64(500) << qint64(0) << qint64(200);
    QTest::newRow("equal") << qint64(500) << qint64(500) << qint64(500);
    QTest::newRow("higher than reserved") << qint64(500) << qint64(0) << qint64(800);
    QTest::newRow("higher after growth") << qint64(500) << qint64(700) << qint64(750);
    QTest::newRow("lower than progressed") << qint64(500) << qint64(400) << qint64(350);
}

void tst_BudgetLedger::settle()
{
    QFETCH(qint64, worst);
    QFETCH(qint64, progressed);
    QFETCH(qint64, real);
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> set = rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100000},
                                            {"scope": "session", "window": "total", "max_tokens": 100000},
                                            {"scope": "model", "window": "request", "max_tokens": 100000}])");
    ledger.setRules(set);
    QVERIFY(ledger.reserve(Acme, {worst, worst * 10, 0, 0}, QStringLiteral("r")).admitted());
    const QList<CounterDelta> holds = ledger.holdsOf(QStringLiteral("r"));
    QCOMPARE(holds.size(), 2); // per-request rules hold nothing
    QCOMPARE(holds.first().tokens, worst);
    QCOMPARE(holds.first().costMicros, worst * 10);
    QCOMPARE(holds.first().requests, 1);
    if (progressed > 0)
        QVERIFY(!ledger.progress(QStringLiteral("r"), {progressed, progressed * 10, 0, 0}));
    const QList<CounterDelta> deltas = ledger.settle(QStringLiteral("r"), {real, real * 10, 0, 0});
    QCOMPARE(deltas.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(deltas[i].key, holds[i].key);
        QCOMPARE(deltas[i].tokens, real);
        QCOMPARE(deltas[i].costMicros, real * 10);
        QCOMPARE(deltas[i].requests, 1);
        const BudgetCounterUsage c = ledger.counter(deltas[i].key);
        QCOMPARE(c.spent, (BudgetAmounts{real, real * 10, 1}));
        QCOMPARE(c.reserved, BudgetAmounts());
        QCOMPARE(c.inFlight, BudgetAmounts());
    }
    QVERIFY(!ledger.isInFlight(QStringLiteral("r")));
    QVERIFY(ledger.holdsOf(QStringLiteral("r")).isEmpty());
}

void tst_BudgetLedger::settleWithoutCountingTheRequest()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_requests": 1}])"));
    QVERIFY(ledger.reserve(Acme, tokens(10), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.reserve(Acme, tokens(10), QStringLiteral("b")).admitted());
    const auto deltas = ledger.settle(QStringLiteral("a"), tokens(0), false);
    QCOMPARE(deltas.first().requests, 0);
    QVERIFY(ledger.reserve(Acme, tokens(10), QStringLiteral("c")).admitted());
}

void tst_BudgetLedger::spendNeverGoesBackwards()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])"));
    const CounterKey key = ledger.keyFor(ledger.rules().first(), Acme);
    QVERIFY(ledger.reserve(Acme, tokens(100), QStringLiteral("a")).admitted());
    ledger.settle(QStringLiteral("a"), tokens(100));
    QVERIFY(ledger.reserve(Acme, tokens(100), QStringLiteral("b")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("b"), {-50, -1, 0, 0}));
    const auto deltas = ledger.settle(QStringLiteral("b"), {-500, -7, 0, 0});
    QCOMPARE(deltas.first().tokens, 0);
    QCOMPARE(deltas.first().costMicros, 0);
    QCOMPARE(ledger.counter(key).spent.tokens, 100);
    // A restore with older, lower figures does not lower them either.
    ledger.restore({{key, 40, 0, 1}});
    QCOMPARE(ledger.counter(key).spent, (BudgetAmounts{100, 0, 2}));
    QCOMPARE(ledger.counter(key).inFlight, BudgetAmounts());
    QCOMPARE(ledger.counter(key).reserved, BudgetAmounts());
}

void tst_BudgetLedger::unknownIdsAreIgnored()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 10}])"));
    QVERIFY(ledger.settle(QStringLiteral("nope"), tokens(5)).isEmpty());
    QVERIFY(!ledger.progress(QStringLiteral("nope"), tokens(50)));
    QVERIFY(ledger.holdsOf(QStringLiteral("nope")).isEmpty());
    QVERIFY(ledger.counterKeys().isEmpty());
    // Settling twice is settling once.
    QVERIFY(ledger.reserve(Acme, tokens(5), QStringLiteral("a")).admitted());
    QCOMPARE(ledger.settle(QStringLiteral("a"), tokens(5)).size(), 1);
    QVERIFY(ledger.settle(QStringLiteral("a"), tokens(5)).isEmpty());
    QCOMPARE(ledger.counter(ledger.counterKeys().first()).spent.tokens, 5);
}

void tst_BudgetLedger::duplicateIdReleasesTheEarlierReservation()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 10}])"));
    QVERIFY(ledger.reserve(Acme, tokens(6), QStringLiteral("a")).admitted());
    QTest::ignoreMessage(QtWarningMsg, "BudgetLedger: request id a reserved twice; releasing the earlier reservation");
    QVERIFY(ledger.reserve(Acme, tokens(4), QStringLiteral("a")).admitted());
    QCOMPARE(ledger.counter(ledger.counterKeys().first()).reserved.tokens, 4);
    QCOMPARE(ledger.inFlightCount(), 1);
}

void tst_BudgetLedger::perRequestRule()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "model", "match": "gpt-*", "window": "request", "max_tokens": 4000, "max_cost": 0.1}])"));
    // The prompt alone is over: refused up front.
    const auto refused = ledger.reserve(Acme, {9000, 0, 5000, 0}, QStringLiteral("a")).denial;
    QVERIFY(refused);
    QCOMPARE(refused->dimension, QStringLiteral("tokens"));
    QCOMPARE(refused->requested, 5000);
    QCOMPARE(refused->message,
             QStringLiteral("Budget 'model gpt-4o per request' would be exceeded: the prompt alone uses 5,000 tokens, "
                            "more than the cap of 4,000 tokens per request. Shorten the prompt, pick a cheaper model, "
                            "or raise the cap."));
    QCOMPARE(ledger.reserve(Acme, {0, 200'000, 0, 100'001}, QStringLiteral("a")).denial->dimension, QStringLiteral("cost"));
    // The prompt fits, the worst case does not: admitted, and cut when the answer crosses the cap.
    QVERIFY(ledger.reserve(Acme, {9000, 0, 3000, 0}, QStringLiteral("b")).admitted());
    QVERIFY(ledger.counterKeys().isEmpty());
    QVERIFY(ledger.holdsOf(QStringLiteral("b")).isEmpty());
    QVERIFY(!ledger.progress(QStringLiteral("b"), tokens(4000)));
    const auto cut = ledger.progress(QStringLiteral("b"), tokens(4001));
    QVERIFY(cut);
    QCOMPARE(cut->requested, 4001);
    QVERIFY(cut->message.contains(QStringLiteral("it used 4,001 tokens, more than the cap of 4,000 tokens per request")));
    QVERIFY(ledger.settle(QStringLiteral("b"), tokens(4001)).isEmpty());
    // Each request has its own allowance.
    QVERIFY(ledger.reserve(Acme, {9000, 0, 3000, 0}, QStringLiteral("c")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("c"), tokens(4000)));
}

void tst_BudgetLedger::rolloverAtLocalMidnight()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> set = rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])");
    ledger.setRules(set);
    m_clock.setNow(local(2026, 3, 28, 23, 59, 50)); // the night of the spring DST change
    const CounterKey yesterday = ledger.keyFor(set.first(), Acme);
    QCOMPARE(yesterday.windowStart, local(2026, 3, 28, 0, 0).toMSecsSinceEpoch());
    QVERIFY(ledger.reserve(Acme, tokens(400), QStringLiteral("late")).admitted());
    QVERIFY(ledger.reserve(Acme, tokens(500), QStringLiteral("late2")).admitted());
    ledger.settle(QStringLiteral("late2"), tokens(500));

    m_clock.advance(20'000);
    const CounterKey today = ledger.keyFor(set.first(), Acme);
    QCOMPARE(today.windowStart, local(2026, 3, 29, 0, 0).toMSecsSinceEpoch());
    // A request reserved before midnight settles into the day it was admitted in.
    QVERIFY(!ledger.progress(QStringLiteral("late"), tokens(450)));
    const auto deltas = ledger.settle(QStringLiteral("late"), tokens(450));
    QCOMPARE(deltas.first().key, yesterday);
    QCOMPARE(ledger.counter(yesterday).spent.tokens, 950);
    // The next request uses the new day, with a fresh counter: the whole cap is available.
    QCOMPARE(ledger.tightest(Acme).remaining, 1000);
    QVERIFY(ledger.reserve(Acme, tokens(1000), QStringLiteral("new")).admitted());
    QCOMPARE(ledger.holdsOf(QStringLiteral("new")).first().key, today);
    QCOMPARE(ledger.counter(today).reserved.tokens, 1000);
    QCOMPARE(ledger.counter(today).spent.tokens, 0);
    // The new day is 23 hours long.
    const auto denial = ledger.reserve(Acme, tokens(1), QStringLiteral("more")).denial;
    QVERIFY(denial);
    QCOMPARE(denial->windowResetMs, local(2026, 3, 30, 0, 0).toMSecsSinceEpoch());
    QCOMPARE(denial->windowResetMs - today.windowStart, 23 * 3'600'000);
}

void tst_BudgetLedger::rolloverAtMonthEnd()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> set = rules(R"([{"scope": "global", "window": "month", "max_cost": 10}])");
    ledger.setRules(set);
    m_clock.setNow(local(2028, 2, 29, 23, 59, 59)); // leap day, last second of February
    QVERIFY(ledger.reserve(Acme, dollars(6), QStringLiteral("feb")).admitted());
    QVERIFY(!ledger.reserve(Globex, dollars(5), QStringLiteral("feb2")).admitted());
    m_clock.advance(1000);
    QVERIFY(ledger.reserve(Globex, dollars(5), QStringLiteral("mar")).admitted());
    const auto febDeltas = ledger.settle(QStringLiteral("feb"), dollars(7));
    QCOMPARE(febDeltas.first().key.windowStart, local(2028, 2, 1, 0, 0).toMSecsSinceEpoch());
    const auto marDeltas = ledger.settle(QStringLiteral("mar"), dollars(5));
    QCOMPARE(marDeltas.first().key.windowStart, local(2028, 3, 1, 0, 0).toMSecsSinceEpoch());
    QCOMPARE(ledger.counter(ledger.keyFor(set.first(), Acme)).spent.costMicros, 5'000'000);
}

void tst_BudgetLedger::staleWindowsArePruned()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "minute", "max_requests": 100},
                              {"scope": "session", "window": "total", "max_requests": 100}])"));
    for (int i = 0; i < 50; ++i) {
        const BudgetSubject who{QStringLiteral("t"), QStringLiteral("s%1").arg(i), QStringLiteral("m")};
        QVERIFY(ledger.reserve(who, tokens(1), QString::number(i)).admitted());
        ledger.settle(QString::number(i), tokens(1));
    }
    QCOMPARE(ledger.counterKeys().size(), 100);
    QVERIFY(ledger.reserve(Acme, tokens(1), QStringLiteral("held")).admitted());
    m_clock.advance(10 * 60'000);
    QVERIFY(ledger.reserve(Globex, tokens(1), QStringLiteral("x")).admitted());
    // Minute counters of the past are gone, except the one a request in flight still holds; total
    // counters stay.
    QCOMPARE(ledger.counterKeys().size(), 50 + 2 + 2);
    QCOMPARE(ledger.settle(QStringLiteral("held"), tokens(1)).size(), 2);
}

void tst_BudgetLedger::loweringACapCutsRequestsInFlight()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])"));
    QVERIFY(ledger.reserve(Acme, tokens(500), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(300)));
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 200}])"));
    const auto cut = ledger.progress(QStringLiteral("a"), tokens(301));
    QVERIFY(cut);
    QCOMPARE(cut->cap, 200);
    QCOMPARE(cut->spent, 301);
    // Raising it again lets the stream go on.
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 5000}])"));
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(302)));
}

void tst_BudgetLedger::newRuleHoldsRequestsInFlight()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100000}])"));
    QVERIFY(ledger.reserve(Acme, tokens(500), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(100)));
    const QList<BudgetRule> withSession = rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100000},
                                                    {"scope": "session", "window": "hour", "max_tokens": 1000}])");
    ledger.setRules(withSession);
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(200)));
    const CounterKey sessionKey = ledger.keyFor(withSession[1], Acme);
    QCOMPARE(ledger.counter(sessionKey).reserved, (BudgetAmounts{500, 0, 1}));
    QCOMPARE(ledger.counter(sessionKey).inFlight, (BudgetAmounts{200, 0, 1}));
    QCOMPARE(ledger.holdsOf(QStringLiteral("a")).size(), 2);
    QVERIFY(!ledger.reserve(Acme, tokens(501), QStringLiteral("b")).admitted());
    QVERIFY(ledger.progress(QStringLiteral("a"), tokens(1001)));
    const auto deltas = ledger.settle(QStringLiteral("a"), tokens(1001));
    QCOMPARE(deltas.size(), 2);
    QCOMPARE(ledger.counter(sessionKey).spent.tokens, 1001);
    QCOMPARE(ledger.counter(sessionKey).reserved, BudgetAmounts());

    // Also when the request settles without another progress() in between.
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100000}])"));
    QVERIFY(ledger.reserve(Acme, tokens(5), QStringLiteral("c")).admitted());
    ledger.setRules(withSession);
    QCOMPARE(ledger.settle(QStringLiteral("c"), tokens(5)).size(), 2);
    QCOMPARE(ledger.counter(sessionKey).spent.tokens, 1006);
}

void tst_BudgetLedger::removedRuleStillRecordsSpend()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> both = rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100},
                                             {"scope": "session", "window": "total", "max_tokens": 100}])");
    ledger.setRules(both);
    QVERIFY(ledger.reserve(Acme, tokens(50), QStringLiteral("a")).admitted());
    ledger.setRules({both[1]});
    // The tenant rule no longer limits the stream...
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(99)));
    ledger.setRules({});
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(500)));
    // ...but its counter still gets the spend, so re-adding the rule does not forget it.
    const auto deltas = ledger.settle(QStringLiteral("a"), tokens(500));
    QCOMPARE(deltas.size(), 2);
    ledger.setRules(both);
    QCOMPARE(ledger.counter(ledger.keyFor(both[0], Acme)).spent.tokens, 500);
    QVERIFY(!ledger.reserve(Acme, tokens(1), QStringLiteral("b")).admitted());
}

void tst_BudgetLedger::editingACapKeepsSpend()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_cost": 1}])"));
    QVERIFY(ledger.reserve(Acme, dollars(0.9), QStringLiteral("a")).admitted());
    ledger.settle(QStringLiteral("a"), dollars(0.9));
    QVERIFY(!ledger.reserve(Acme, dollars(0.2), QStringLiteral("b")).admitted());
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_cost": 2, "max_tokens": 50, "name": "renamed"}])"));
    QCOMPARE(ledger.counter(ledger.keyFor(ledger.rules().first(), Acme)).spent.costMicros, 900'000);
    QVERIFY(ledger.reserve(Acme, dollars(1.1), QStringLiteral("c")).admitted());
    QVERIFY(!ledger.reserve(Acme, dollars(0.000001), QStringLiteral("d")).admitted());
}

void tst_BudgetLedger::restore()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    const QList<BudgetRule> set = rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000},
                                            {"scope": "session", "window": "total", "max_cost": 1}])");
    const CounterKey today = {set[0].counterRule(), QStringLiteral("acme"), local(2026, 7, 15, 0, 0).toMSecsSinceEpoch()};
    const CounterKey yesterday = {set[0].counterRule(), QStringLiteral("acme"), local(2026, 7, 14, 0, 0).toMSecsSinceEpoch()};
    const CounterKey total = {set[1].counterRule(), QStringLiteral("agent-1"), 0};
    const CounterKey unknown = {QStringLiteral("tenant|*|fortnight"), QStringLiteral("acme"), 0};
    ledger.restore({{today, 990, 0, 3}, {yesterday, 5000, 0, 9}, {total, 0, 999'999, 4}, {unknown, 1, 1, 1}});
    ledger.setRules(set);
    QCOMPARE(ledger.counterKeys().size(), 2);
    QCOMPARE(ledger.counter(today).spent, (BudgetAmounts{990, 0, 3}));
    QCOMPARE(ledger.counter(total).spent.costMicros, 999'999);
    QVERIFY(ledger.reserve(Acme, {10, 1, 0, 0}, QStringLiteral("a")).admitted());
    QCOMPARE(ledger.reserve(Acme, {0, 1, 0, 0}, QStringLiteral("b")).denial->dimension, QStringLiteral("cost"));
    QCOMPARE(ledger.reserve(Acme, {1, 0, 0, 0}, QStringLiteral("c")).denial->dimension, QStringLiteral("tokens"));
}

QTEST_GUILESS_MAIN(tst_BudgetLedger)
#include "tst_BudgetLedger.moc"
