#include "LedgerFixtures.h"
#include "budget/ManualBudgetClock.h"

#include <QJsonObject>
#include <QTest>

#include <ctime>

Q_DECLARE_METATYPE(BudgetDemand)

using namespace LedgerFixtures;

// What the budget ledger tells people: alerts at the threshold and the cap, the tightest budget
// for response headers, the usage snapshot for the admin API, and the wording of denials.
class tst_BudgetLedgerReports : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void alertsFireOnceAtThresholdAndCap();
    void alertsOnceEvenWhenUsageDips();
    void alertJumpingStraightToTheCap();
    void alertFromProgressAndPerRule();
    void alertCallbackMayCallBack();
    void tightest();
    void usage();
    void usageJsonShape();
    void denialMessages_data();
    void denialMessages();

private:
    ManualBudgetClock m_clock;
};

void tst_BudgetLedgerReports::initTestCase()
{
    qputenv("TZ", "Europe/Berlin");
    tzset();
}

void tst_BudgetLedgerReports::init()
{
    m_clock.setNow(local(2026, 7, 15, 12, 0));
}

void tst_BudgetLedgerReports::alertsFireOnceAtThresholdAndCap()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    QList<BudgetAlert> alerts;
    ledger.setAlertCallback([&](const BudgetAlert &alert) { alerts.append(alert); });
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_cost": 5, "alert_at": 0.8}])"));
    int n = 0;
    auto spend = [&](const BudgetSubject &who, double amount) {
        const QString id = QString::number(++n);
        QVERIFY(ledger.reserve(who, dollars(amount), id).admitted());
        ledger.settle(id, dollars(amount));
    };
    spend(Acme, 3.9);
    QCOMPARE(alerts.size(), 0);
    spend(Acme, 0.1); // exactly 80 %
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts[0].capReached, false);
    QCOMPARE(alerts[0].dimension, QStringLiteral("cost"));
    QCOMPARE(alerts[0].subject, QStringLiteral("acme"));
    QCOMPARE(alerts[0].fraction, 0.8);
    QCOMPARE(alerts[0].spent, 4'000'000);
    QCOMPARE(alerts[0].cap, 5'000'000);
    QCOMPARE(alerts[0].windowResetMs, local(2026, 7, 16, 0, 0).toMSecsSinceEpoch());
    QCOMPARE(alerts[0].message, QStringLiteral("Budget 'tenant acme per day' is at 80 % of its cap: $4.00 of $5.00 spent. "
                                                "It resets at 00:00 (in 12 h)."));
    spend(Acme, 0.5);
    QCOMPARE(alerts.size(), 1);
    spend(Acme, 0.5); // 100 %
    QCOMPARE(alerts.size(), 2);
    QCOMPARE(alerts[1].capReached, true);
    QCOMPARE(alerts[1].message, QStringLiteral("Budget 'tenant acme per day' has reached its cap: $5.00 of $5.00 spent. "
                                                "New requests are refused until 00:00 (in 12 h)."));
    QVERIFY(!ledger.reserve(Acme, dollars(0.01), QStringLiteral("x")).admitted());
    spend(Acme, 0);
    QCOMPARE(alerts.size(), 2);
    // Another subject has alerts of its own, and so has the next day.
    spend(Globex, 4.5);
    QCOMPARE(alerts.size(), 3);
    QCOMPARE(alerts[2].subject, QStringLiteral("globex"));
    m_clock.advance(24 * 3'600'000);
    spend(Acme, 4.5);
    QCOMPARE(alerts.size(), 4);
    QCOMPARE(alerts[3].subject, QStringLiteral("acme"));
}

void tst_BudgetLedgerReports::alertsOnceEvenWhenUsageDips()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    QList<BudgetAlert> alerts;
    ledger.setAlertCallback([&](const BudgetAlert &alert) { alerts.append(alert); });
    const QByteArray rule = R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])";
    ledger.setRules(rules(rule));
    QVERIFY(ledger.reserve(Acme, tokens(1000), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(850)));
    QCOMPARE(alerts.size(), 1);
    // The stream's real usage is lower than it reported: the counter dips below 80 % again.
    ledger.settle(QStringLiteral("a"), tokens(700));
    QVERIFY(ledger.reserve(Acme, tokens(300), QStringLiteral("b")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("b"), tokens(150)));
    QCOMPARE(alerts.size(), 1);
    ledger.settle(QStringLiteral("b"), tokens(0));
    // Reloading the same rule changes nothing; an edited cap is a new alert.
    ledger.setRules(rules(rule));
    QVERIFY(ledger.reserve(Acme, tokens(300), QStringLiteral("c")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("c"), tokens(200)));
    QCOMPARE(alerts.size(), 1);
    ledger.settle(QStringLiteral("c"), tokens(0));
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1100}])"));
    QVERIFY(ledger.reserve(Acme, tokens(300), QStringLiteral("d")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("d"), tokens(200)));
    QCOMPARE(alerts.size(), 2);
    QCOMPARE(alerts[1].cap, 1100);
}

void tst_BudgetLedgerReports::alertJumpingStraightToTheCap()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    QList<BudgetAlert> alerts;
    ledger.setAlertCallback([&](const BudgetAlert &alert) { alerts.append(alert); });
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "total", "max_tokens": 1000}])"));
    QVERIFY(ledger.reserve(Acme, tokens(1000), QStringLiteral("a")).admitted());
    ledger.settle(QStringLiteral("a"), tokens(1200));
    QCOMPARE(alerts.size(), 1);
    QVERIFY(alerts[0].capReached);
    QCOMPARE(alerts[0].fraction, 1.2);
    QCOMPARE(alerts[0].message, QStringLiteral("Budget 'tenant acme in total' has reached its cap: 1,200 of 1,000 tokens "
                                                "used. New requests are refused until the cap is raised."));
}

void tst_BudgetLedgerReports::alertFromProgressAndPerRule()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    QList<BudgetAlert> alerts;
    ledger.setAlertCallback([&](const BudgetAlert &alert) { alerts.append(alert); });
    // Two rules on one counter alert separately; requests count as soon as they are in flight.
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000, "alert_at": 0.5, "name": "soft"},
                              {"scope": "tenant", "window": "day", "max_tokens": 2000, "name": "hard"},
                              {"scope": "global", "window": "day", "max_requests": 2, "alert_at": 0.5}])"));
    QVERIFY(ledger.reserve(Acme, tokens(1500), QStringLiteral("a")).admitted() == false);
    QVERIFY(ledger.reserve(Acme, tokens(900), QStringLiteral("a")).admitted());
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts[0].dimension, QStringLiteral("requests"));
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(499)));
    QCOMPARE(alerts.size(), 1);
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(500)));
    QCOMPARE(alerts.size(), 2);
    QCOMPARE(alerts[1].rule.name, QStringLiteral("soft"));
    QVERIFY(ledger.progress(QStringLiteral("a"), tokens(1600)));
    QCOMPARE(alerts.size(), 4);
    QCOMPARE(alerts[2].rule.name, QStringLiteral("soft"));
    QVERIFY(alerts[2].capReached);
    QCOMPARE(alerts[3].rule.name, QStringLiteral("hard"));
    QVERIFY(!alerts[3].capReached);
    QCOMPARE(alerts[3].fraction, 0.8);
}

void tst_BudgetLedgerReports::alertCallbackMayCallBack()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 100}])"));
    int calls = 0;
    ledger.setAlertCallback([&](const BudgetAlert &) {
        ++calls;
        ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000}])"));
        ledger.settle(QStringLiteral("a"), tokens(90));
    });
    QVERIFY(ledger.reserve(Acme, tokens(100), QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), tokens(85)));
    QCOMPARE(calls, 1);
    QVERIFY(!ledger.isInFlight(QStringLiteral("a")));
    QCOMPARE(ledger.counter(ledger.counterKeys().first()).spent.tokens, 90);
}

void tst_BudgetLedgerReports::tightest()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    QVERIFY(ledger.tightest(Acme).isEmpty());
    QCOMPARE(ledger.tightest(Acme).headerValue(), QString());
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000, "max_cost": 5},
                              {"scope": "session", "match": "agent-1", "window": "hour", "max_requests": 10, "name": "hourly"},
                              {"scope": "model", "window": "request", "max_tokens": 1}])"));
    BudgetRemaining r = ledger.tightest(Acme);
    QCOMPARE(r.ruleName, QStringLiteral("tenant * per day")); // all at 100 %: the first one
    QCOMPARE(r.dimension, QStringLiteral("tokens"));
    QCOMPARE(r.remaining, 1000);
    QVERIFY(ledger.reserve(Acme, {100, 4'000'000, 0, 0}, QStringLiteral("a")).admitted());
    r = ledger.tightest(Acme);
    QCOMPARE(r.dimension, QStringLiteral("cost"));
    QCOMPARE(r.remaining, 1'000'000);
    QCOMPARE(r.unit, QStringLiteral("USD"));
    QCOMPARE(r.headerValue(), QStringLiteral("1.00 USD"));
    QCOMPARE(r.resetMs, local(2026, 7, 16, 0, 0).toMSecsSinceEpoch());
    ledger.settle(QStringLiteral("a"), {100, 100'000, 0, 0});
    for (int i = 0; i < 9; ++i) {
        QVERIFY(ledger.reserve(Acme, {}, QString::number(i)).admitted());
        ledger.settle(QString::number(i), {});
    }
    r = ledger.tightest(Acme);
    QCOMPARE(r.ruleName, QStringLiteral("hourly"));
    QCOMPARE(r.remaining, 0);
    QCOMPARE(r.headerValue(), QStringLiteral("0 requests"));
    QCOMPARE(r.resetMs, local(2026, 7, 15, 13, 0).toMSecsSinceEpoch());
    // Globex's session is not matched by "hourly".
    QCOMPARE(ledger.tightest(Globex).headerValue(), QStringLiteral("1000 tokens"));
}

void tst_BudgetLedgerReports::usage()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000},
                              {"scope": "global", "window": "month", "max_cost": 10},
                              {"scope": "model", "window": "request", "max_tokens": 10000}])"));
    QList<BudgetUsage> list = ledger.usage();
    QCOMPARE(list.size(), 3);
    QVERIFY(list[0].counters.isEmpty());
    QCOMPARE(list[1].counters.size(), 1); // global shows its counter at zero
    QVERIFY(list[2].counters.isEmpty());
    QVERIFY(ledger.reserve(Globex, {100, 0, 0, 0}, QStringLiteral("g")).admitted());
    QVERIFY(ledger.reserve(Acme, {400, 2'000'000, 0, 0}, QStringLiteral("a")).admitted());
    QVERIFY(!ledger.progress(QStringLiteral("a"), {200, 1'000'000, 0, 0}));
    ledger.settle(QStringLiteral("g"), {50, 0, 0, 0});
    list = ledger.usage();
    QCOMPARE(list[0].windowStart, local(2026, 7, 15, 0, 0).toMSecsSinceEpoch());
    QCOMPARE(list[0].windowEnd, local(2026, 7, 16, 0, 0).toMSecsSinceEpoch());
    QCOMPARE(list[0].counters.size(), 2);
    QCOMPARE(list[0].counters[0].subject, QStringLiteral("acme")); // sorted by subject
    QCOMPARE(list[0].counters[0].reserved, (BudgetAmounts{400, 2'000'000, 1}));
    QCOMPARE(list[0].counters[0].inFlight, (BudgetAmounts{200, 1'000'000, 1}));
    QCOMPARE(list[0].counters[0].fraction, 0.2);
    QCOMPARE(list[0].counters[1].spent, (BudgetAmounts{50, 0, 1}));
    QCOMPARE(list[0].counters[1].fraction, 0.05);
    QCOMPARE(list[1].counters[0].fraction, 0.1);
    // Yesterday's counters are not "current".
    m_clock.advance(24 * 3'600'000);
    QVERIFY(ledger.usage()[0].counters.isEmpty());
}

void tst_BudgetLedgerReports::usageJsonShape()
{
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(rules(R"([{"scope": "tenant", "window": "day", "max_tokens": 1000, "max_cost": 5},
                              {"scope": "session", "window": "total", "max_requests": 3, "name": "three"}])"));
    QVERIFY(ledger.reserve(Acme, {100, 1'500'000, 0, 0}, QStringLiteral("a")).admitted());
    ledger.settle(QStringLiteral("a"), {80, 1'250'000, 0, 0});
    const QJsonArray json = ledger.usageJson();
    QCOMPARE(json.size(), 2);
    const QJsonObject day = json[0].toObject();
    QCOMPARE(day.value(QLatin1String("scope")).toString(), QStringLiteral("tenant"));
    QCOMPARE(day.value(QLatin1String("max_cost")).toDouble(), 5.0);
    QCOMPARE(day.value(QLatin1String("display_name")).toString(), QStringLiteral("tenant * per day"));
    QCOMPARE(day.value(QLatin1String("window_start")).toString(), QStringLiteral("2026-07-15T00:00:00+02:00"));
    QCOMPARE(day.value(QLatin1String("resets_at")).toString(), QStringLiteral("2026-07-16T00:00:00+02:00"));
    const QJsonObject counter = day.value(QLatin1String("usage")).toArray().first().toObject();
    QCOMPARE(counter.value(QLatin1String("subject")).toString(), QStringLiteral("acme"));
    const QJsonObject spent = counter.value(QLatin1String("spent")).toObject();
    QCOMPARE(spent.value(QLatin1String("tokens")).toInteger(), 80);
    QCOMPARE(spent.value(QLatin1String("cost")).toDouble(), 1.25);
    QCOMPARE(spent.value(QLatin1String("cost_micros")).toInteger(), 1'250'000);
    QCOMPARE(spent.value(QLatin1String("requests")).toInteger(), 1);
    QVERIFY(counter.value(QLatin1String("reserved")).isObject());
    QVERIFY(counter.value(QLatin1String("in_flight")).isObject());
    QCOMPARE(counter.value(QLatin1String("fraction")).toDouble(), 0.25);
    const QJsonObject total = json[1].toObject();
    QVERIFY(total.value(QLatin1String("window_start")).isNull());
    QVERIFY(total.value(QLatin1String("resets_at")).isNull());
    QCOMPARE(total.value(QLatin1String("name")).toString(), QStringLiteral("three"));
    // What GET returns can be PUT back unchanged.
    QString error;
    const auto back = BudgetRule::listFromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, ledger.rules());
}

void tst_BudgetLedgerReports::denialMessages_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<qint64>("spentCost");
    QTest::addColumn<qint64>("heldCost");
    QTest::addColumn<BudgetDemand>("worst");
    QTest::addColumn<QString>("message");
    QTest::newRow("the documented one") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": 5}])")
                                        << local(2026, 7, 15, 20, 48) << qint64(4'980'000) << qint64(0)
                                        << BudgetDemand{0, 120'000, 0, 0}
                                        << "Budget 'tenant acme per day' would be exceeded: $4.98 of $5.00 spent; this "
                                           "request may cost up to $0.12. Raise the cap or wait until 00:00 (in 3 h 12 min).";
    QTest::newRow("held by others, named, euro")
        << QByteArray(R"([{"scope": "session", "window": "month", "max_cost": 20, "currency": "EUR", "name": "agents"}])")
        << local(2026, 7, 15, 20, 48) << qint64(10'000'000) << qint64(9'500'000) << BudgetDemand{0, 600'000, 0, 0}
        << "Budget 'agents' (session 'agent-1', per month) would be exceeded: 10.00 EUR of 20.00 EUR spent, 9.50 EUR more "
           "held by requests in flight; this request may cost up to 0.60 EUR. Raise the cap or wait until 1 Aug 00:00 "
           "(in 16 d 3 h).";
    QTest::newRow("tokens, no window") << QByteArray(R"([{"scope": "global", "window": "total", "max_tokens": 2000000}])")
                                       << local(2026, 7, 15, 20, 48) << qint64(0) << qint64(0)
                                       << BudgetDemand{2'000'001, 0, 0, 0}
                                       << "Budget 'global in total' would be exceeded: 0 of 2,000,000 tokens used; this "
                                          "request may use up to 2,000,001 tokens. Raise the cap; this budget has no time "
                                          "window, so it does not reset on its own.";
    QTest::newRow("requests, minute") << QByteArray(R"([{"scope": "model", "window": "minute", "max_requests": 0}])")
                                      << local(2026, 7, 15, 20, 48, 35) << qint64(0) << qint64(0) << BudgetDemand{}
                                      << "Budget 'model gpt-4o per minute' would be exceeded: 0 of 0 requests made. Raise "
                                         "the cap or wait until 20:49 (in 25 s).";
    QTest::newRow("tiny amounts") << QByteArray(R"([{"scope": "tenant", "window": "hour", "max_cost": 0.001}])")
                                  << local(2026, 7, 15, 20, 48) << qint64(999) << qint64(0) << BudgetDemand{0, 2, 0, 0}
                                  << "Budget 'tenant acme per hour' would be exceeded: $0.000999 of $0.001 spent; this "
                                     "request may cost up to $0.000002. Raise the cap or wait until 21:00 (in 12 min).";
}

void tst_BudgetLedgerReports::denialMessages()
{
    QFETCH(QByteArray, rules);
    QFETCH(QDateTime, now);
    QFETCH(qint64, spentCost);
    QFETCH(qint64, heldCost);
    QFETCH(BudgetDemand, worst);
    QFETCH(QString, message);
    m_clock.setNow(now);
    BudgetLedger ledger;
    ledger.setClock(&m_clock);
    ledger.setRules(::rules(rules));
    if (spentCost > 0) {
        QVERIFY(ledger.reserve(Acme, {}, QStringLiteral("spent")).admitted());
        ledger.settle(QStringLiteral("spent"), {0, spentCost, 0, 0}, false);
    }
    if (heldCost > 0)
        QVERIFY(ledger.reserve(Acme, {0, heldCost, 0, 0}, QStringLiteral("held")).admitted());
    const auto denial = ledger.reserve(Acme, worst, QStringLiteral("r")).denial;
    QVERIFY(denial);
    QCOMPARE(denial->message, message);
}

QTEST_GUILESS_MAIN(tst_BudgetLedgerReports)
#include "tst_BudgetLedgerReports.moc"
