#include "LedgerFixtures.h"
#include "budget/ManualBudgetClock.h"

#include <QTest>

#include <ctime>

using namespace LedgerFixtures;

// Spend down: BudgetLedger::reserveOutput clamps a request's output limit to what every
// clamping rule has left (tokens, cost, per request or per window, after what others hold),
// refuses below a rule's floor, and leaves "refuse" rules and request caps as they were.
class tst_BudgetLedgerClamp : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void clampsToTokensLeft();
    void clampsToCostLeft();
    void tightestRuleWins();
    void requestWithoutLimitIsClampedFromTheDefault();
    void fitsUnclamped();
    void perRequestRuleClamps();
    void belowTheFloorRefuses();
    void floorIsPerRule();
    void refuseRuleRefusesTheWholeWorstCase();
    void requestCapsAreUnaffected();
    void concurrentReservationsEachGetWhatIsLeft();
    void notClampableIsHeldToItsWorstCase();
    void freeOutputIsNotClampedByCost();

private:
    static BudgetOutputDemand demand(qint64 prompt, qint64 requested, qint64 defaultOutput = 4096);
    ManualBudgetClock m_clock;
};

void tst_BudgetLedgerClamp::initTestCase()
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
}

void tst_BudgetLedgerClamp::init()
{
    m_clock.setNow(local(2026, 7, 15, 12, 0));
}

BudgetOutputDemand tst_BudgetLedgerClamp::demand(qint64 prompt, qint64 requested, qint64 defaultOutput)
{
    BudgetOutputDemand d;
    d.promptTokens = prompt;
    d.requestedOutput = requested;
    d.defaultOutput = defaultOutput;
    return d;
}

void tst_BudgetLedgerClamp::clampsToTokensLeft()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 1000}])"));
    QVERIFY(ledger.reserve(Acme, {}, QStringLiteral("before")).admitted());
    ledger.settle(QStringLiteral("before"), tokens(700));

    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(50, 64000), QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 250);
    QVERIFY(a.clamped());
    QCOMPARE(a.clampedBy, QStringLiteral("session * in total"));
    // The clamped worst case is what is held: the cap is exactly full.
    const CounterKey key = ledger.keyFor(ledger.rules().first(), Acme);
    QCOMPARE(ledger.counter(key).reserved.tokens, 300);
    QCOMPARE(ledger.holdsOf(QStringLiteral("r")).first().tokens, 300);
}

void tst_BudgetLedgerClamp::clampsToCostLeft()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_cost": 1}])"));
    BudgetOutputDemand d = demand(100000, 300000);
    d.price.input = 2'000'000;   // $2 per million: the prompt costs $0.20
    d.price.output = 3'000'000;  // $3 per million: 3 micro-dollars a token
    const BudgetAdmission a = ledger.reserveOutput(Acme, d, QStringLiteral("r"));
    QVERIFY(a.admitted());
    // $0.80 left buys 266,666 tokens (799,998 micros); one more would pass the cap.
    QCOMPARE(a.outputTokens, 266666);
    QVERIFY(a.clamped());
    QCOMPARE(ledger.holdsOf(QStringLiteral("r")).first().costMicros, 999'998);
}

void tst_BudgetLedgerClamp::tightestRuleWins()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([
        {"scope": "tenant", "window": "day", "max_tokens": 10000},
        {"scope": "session", "window": "total", "max_tokens": 500, "name": "small"},
        {"scope": "global", "window": "month", "max_cost": 100},
        {"scope": "model", "window": "request", "max_tokens": 2000}])"));
    BudgetOutputDemand d = demand(40, 128000);
    d.price.output = 1'000'000;
    const BudgetAdmission a = ledger.reserveOutput(Acme, d, QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 460);
    QCOMPARE(a.clampedBy, QStringLiteral("small"));
}

void tst_BudgetLedgerClamp::requestWithoutLimitIsClampedFromTheDefault()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 300}])"));
    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(20, -1, 4096), QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 280);
    QVERIFY(a.clamped());
}

void tst_BudgetLedgerClamp::fitsUnclamped()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 300}])"));
    const BudgetAdmission exact = ledger.reserveOutput(Acme, demand(20, 280), QStringLiteral("exact"));
    QVERIFY(exact.admitted());
    QCOMPARE(exact.outputTokens, 280);
    QVERIFY(!exact.clamped());
    // No rule at all: the default, unclamped.
    BudgetLedger open;
    open.setClock(&m_clock);
    const BudgetAdmission none = open.reserveOutput(Acme, demand(20, -1, 4096), QStringLiteral("none"));
    QCOMPARE(none.outputTokens, 4096);
    QVERIFY(!none.clamped());
}

void tst_BudgetLedgerClamp::perRequestRuleClamps()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "request", "max_tokens": 100}])"));
    for (const QString &id : {QStringLiteral("a"), QStringLiteral("b")}) {
        const BudgetAdmission a = ledger.reserveOutput(Acme, demand(20, 600), id);
        QVERIFY(a.admitted());
        QCOMPARE(a.outputTokens, 80); // per request: the first does not use up the second's room
    }
    QVERIFY(ledger.counterKeys().isEmpty());
}

void tst_BudgetLedgerClamp::belowTheFloorRefuses()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 100}])"));
    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(90, 64000), QStringLiteral("r"));
    QVERIFY(!a.admitted());
    QCOMPARE(a.denial->dimension, QStringLiteral("tokens"));
    QCOMPARE(a.denial->cap, 100);
    QCOMPARE(a.denial->requested, 90 + 16);
    QVERIFY2(a.denial->message.contains(QLatin1String("at least 16 output tokens")), qPrintable(a.denial->message));
    QVERIFY2(a.denial->message.contains(QLatin1String("agent-1")), qPrintable(a.denial->message));
    QVERIFY(!ledger.isInFlight(QStringLiteral("r")));
    QVERIFY(ledger.counterKeys().isEmpty());
    // 84 + 16 fits exactly.
    const BudgetAdmission b = ledger.reserveOutput(Acme, demand(84, 64000), QStringLiteral("s"));
    QVERIFY(b.admitted());
    QCOMPARE(b.outputTokens, 16);
    // A prompt alone over the cap never fits.
    const BudgetAdmission c = ledger.reserveOutput(Globex, demand(150, 10), QStringLiteral("t"));
    QVERIFY(!c.admitted());
}

void tst_BudgetLedgerClamp::floorIsPerRule()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 100, "min_output_tokens": 5},
                              {"scope": "tenant", "window": "day", "max_tokens": 1000, "min_output_tokens": 900}])"));
    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(90, 64000), QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 10);
    // The tenant rule has 900 left after 100 held, 810 after this prompt: under its floor of 900.
    const BudgetAdmission b = ledger.reserveOutput(Globex, demand(90, 64000), QStringLiteral("s"));
    QVERIFY(b.admitted()); // another tenant
    const BudgetAdmission c = ledger.reserveOutput({QStringLiteral("acme"), QStringLiteral("agent-9"), QStringLiteral("gpt-4o")},
                                                   demand(90, 64000), QStringLiteral("t"));
    QVERIFY(!c.admitted());
    QVERIFY2(c.denial->message.contains(QLatin1String("at least 900 output tokens")), qPrintable(c.denial->message));
}

void tst_BudgetLedgerClamp::refuseRuleRefusesTheWholeWorstCase()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 1000, "over_cap": "refuse"}])"));
    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(50, 2000), QStringLiteral("r"));
    QVERIFY(!a.admitted());
    QVERIFY2(a.denial->message.contains(QLatin1String("would be exceeded")), qPrintable(a.denial->message));
    const BudgetAdmission b = ledger.reserveOutput(Acme, demand(50, 500), QStringLiteral("s"));
    QVERIFY(b.admitted());
    QCOMPARE(b.outputTokens, 500);
    QVERIFY(!b.clamped());
    // A clamping rule next to it clamps first; the refusing one then sees the clamped worst case.
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 1000, "over_cap": "refuse"},
                              {"scope": "session", "window": "request", "max_tokens": 300}])"));
    const BudgetAdmission c = ledger.reserveOutput(Acme, demand(50, 2000), QStringLiteral("t"));
    QVERIFY(c.admitted());
    QCOMPARE(c.outputTokens, 250);
}

void tst_BudgetLedgerClamp::requestCapsAreUnaffected()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "day", "max_requests": 1}])"));
    const BudgetAdmission a = ledger.reserveOutput(Acme, demand(50, 64000), QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 64000);
    QVERIFY(!a.clamped());
    const BudgetAdmission b = ledger.reserveOutput(Acme, demand(50, 10), QStringLiteral("s"));
    QVERIFY(!b.admitted());
    QCOMPARE(b.denial->dimension, QStringLiteral("requests"));
}

void tst_BudgetLedgerClamp::concurrentReservationsEachGetWhatIsLeft()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])"));
    const auto reserve = [&](const QString &id) { return ledger.reserveOutput(Acme, demand(100, 300), id); };
    QCOMPARE(reserve(QStringLiteral("r1")).outputTokens, 300);
    QCOMPARE(reserve(QStringLiteral("r2")).outputTokens, 300);
    const BudgetAdmission r3 = reserve(QStringLiteral("r3"));
    QCOMPARE(r3.outputTokens, 100); // 200 left after two holds of 400
    QVERIFY(r3.clamped());
    QVERIFY(!reserve(QStringLiteral("r4")).admitted());
    // r1 ends using less than it held: the difference is there for the next one.
    ledger.settle(QStringLiteral("r1"), tokens(150));
    const BudgetAdmission r5 = reserve(QStringLiteral("r5"));
    QCOMPARE(r5.outputTokens, 150);
    const CounterKey key = ledger.keyFor(ledger.rules().first(), Acme);
    const BudgetCounterUsage c = ledger.counter(key);
    QCOMPARE(c.spent.tokens + c.reserved.tokens, 1000); // spent down to the token, never past it
}

void tst_BudgetLedgerClamp::notClampableIsHeldToItsWorstCase()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_tokens": 1000}])"));
    BudgetOutputDemand d = demand(50, 2000);
    d.clampable = false;
    QVERIFY(!ledger.reserveOutput(Acme, d, QStringLiteral("r")).admitted());
    d.requestedOutput = 900;
    const BudgetAdmission a = ledger.reserveOutput(Acme, d, QStringLiteral("s"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 900);
}

void tst_BudgetLedgerClamp::freeOutputIsNotClampedByCost()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "session", "window": "total", "max_cost": 0.01}])"));
    BudgetOutputDemand d = demand(1000, 64000);
    d.price.input = 1'000'000; // the prompt costs $0.001; output is free
    const BudgetAdmission a = ledger.reserveOutput(Acme, d, QStringLiteral("r"));
    QVERIFY(a.admitted());
    QCOMPARE(a.outputTokens, 64000);
    QVERIFY(!a.clamped());
    d.price.input = 20'000'000; // $0.02 of prompt alone: nothing fits
    QVERIFY(!ledger.reserveOutput(Globex, d, QStringLiteral("s")).admitted());
}

QTEST_GUILESS_MAIN(tst_BudgetLedgerClamp)
#include "tst_BudgetLedgerClamp.moc"
