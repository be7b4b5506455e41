#include "budget/BudgetRule.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

namespace {

QJsonValue parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("test JSON does not parse: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

} // namespace

// Budget rules as configured: parsing with precise errors, exact money, identity, matching.
class tst_BudgetRule : public QObject
{
    Q_OBJECT

private slots:
    void parsesTheDocumentedShape();
    void defaults();
    void invalid_data();
    void invalid();
    void nothingHalfParsed();
    void roundTrip_data();
    void roundTrip();
    void costRoundTripIsExact();
    void readOnlyKeysAreIgnored();
    void displayName_data();
    void displayName();
    void counterRuleIgnoresCapsAndCase();
    void appliesTo_data();
    void appliesTo();
};

void tst_BudgetRule::parsesTheDocumentedShape()
{
    QString error;
    const auto rules = BudgetRule::listFromJson(parse(R"([
        {"scope": "tenant", "match": "*", "window": "day", "max_tokens": 2000000, "max_cost": 5.0,
         "max_requests": 1000, "alert_at": 0.8, "name": "tenant daily"},
        {"scope": "session", "match": "agent-*", "window": "total", "max_cost": 1.0},
        {"scope": "global", "window": "month", "max_cost": "123.456789", "currency": "eur"},
        {"scope": "model", "match": "gpt-4?", "window": "request", "max_tokens": 4000}
    ])"), &error);
    QVERIFY2(rules, qPrintable(error));
    QCOMPARE(rules->size(), 4);
    const BudgetRule &first = rules->at(0);
    QCOMPARE(first.scope, BudgetScope::Tenant);
    QCOMPARE(first.window, BudgetWindow::Day);
    QCOMPARE(first.maxTokens, std::optional<qint64>(2000000));
    QCOMPARE(first.maxCostMicros, std::optional<qint64>(5000000));
    QCOMPARE(first.maxRequests, std::optional<qint64>(1000));
    QCOMPARE(first.alertAt, 0.8);
    QCOMPARE(first.name, QStringLiteral("tenant daily"));
    QCOMPARE(rules->at(1).match, QStringLiteral("agent-*"));
    QCOMPARE(rules->at(1).maxTokens, std::nullopt);
    QCOMPARE(rules->at(2).maxCostMicros, std::optional<qint64>(123456789));
    QCOMPARE(rules->at(2).currency, QStringLiteral("EUR"));
    QCOMPARE(rules->at(3).window, BudgetWindow::Request);
}

void tst_BudgetRule::defaults()
{
    const auto rules = BudgetRule::listFromJson(parse(R"([{"scope": "tenant", "window": "hour", "max_requests": 5}])"));
    QVERIFY(rules);
    const BudgetRule &rule = rules->first();
    QCOMPARE(rule.match, QStringLiteral("*"));
    QCOMPARE(rule.currency, QStringLiteral("USD"));
    QCOMPARE(rule.alertAt, 0.8);
    QCOMPARE(rule.overCap, BudgetOverCap::Clamp);
    QCOMPARE(rule.minOutputTokens, qint64(16));
    QVERIFY(rule.name.isEmpty());
    QCOMPARE(rule.displayName(), QStringLiteral("tenant * per hour"));
}

void tst_BudgetRule::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("not an array") << QByteArray(R"({"scope": "tenant"})")
                                  << "budgets: must be an array of budget rules, got an object";
    QTest::newRow("element not an object") << QByteArray(R"([{"scope": "global", "window": "day", "max_tokens": 1}, 5])")
                                           << "budgets[1]: must be an object, got 5";
    QTest::newRow("unknown key") << QByteArray(R"([{"scope": "global", "window": "day", "max_token": 1}])")
                                 << "budgets[0].max_token: unknown key (expected scope, match, window, max_tokens, "
                                    "max_cost, max_requests, currency, alert_at, name, over_cap, min_output_tokens)";
    QTest::newRow("over_cap unknown") << QByteArray(R"([{"scope": "global", "window": "day", "max_tokens": 1, "over_cap": "cut"}])")
                                      << "budgets[0].over_cap: must be \"clamp\" (shrink max_tokens to what is left) or "
                                         "\"refuse\" (answer 402), got \"cut\"";
    QTest::newRow("min_output_tokens zero") << QByteArray(R"([{"scope": "global", "window": "day", "max_tokens": 1, "min_output_tokens": 0}])")
                                            << "budgets[0].min_output_tokens: must be a whole number from 1 to 2147483647, got 0";
    QTest::newRow("min_output_tokens fraction") << QByteArray(R"([{"scope": "global", "window": "day", "max_tokens": 1, "min_output_tokens": 1.5}])")
                                                << "budgets[0].min_output_tokens: must be a whole number from 1 to 2147483647, got 1.5";
    QTest::newRow("scope missing") << QByteArray(R"([{"window": "day", "max_tokens": 1}])")
                                   << "budgets[0].scope: must be one of global, tenant, session, model, got nothing";
    QTest::newRow("scope unknown") << QByteArray(R"([{"scope": "team", "window": "day", "max_tokens": 1}])")
                                   << "budgets[0].scope: must be one of global, tenant, session, model, got \"team\"";
    QTest::newRow("scope case") << QByteArray(R"([{"scope": "Tenant", "window": "day", "max_tokens": 1}])")
                                << "budgets[0].scope: must be one of global, tenant, session, model, got \"Tenant\"";
    QTest::newRow("window missing") << QByteArray(R"([{"scope": "tenant", "max_tokens": 1}])")
                                    << "budgets[0].window: must be one of request, minute, hour, day, month, total, got nothing";
    QTest::newRow("window unknown")
        << QByteArray(R"([{"scope": "global", "window": "day", "max_tokens": 1}, {"scope": "tenant", "window": "week", "max_tokens": 1}])")
        << "budgets[1].window: must be one of request, minute, hour, day, month, total, got \"week\"";
    QTest::newRow("window number") << QByteArray(R"([{"scope": "tenant", "window": 1, "max_tokens": 1}])")
                                   << "budgets[0].window: must be one of request, minute, hour, day, month, total, got 1";
    QTest::newRow("no cap") << QByteArray(R"([{"scope": "tenant", "window": "day"}])")
                            << "budgets[0]: needs at least one of max_tokens, max_cost, max_requests";
    QTest::newRow("negative tokens") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": -1}])")
                                     << "budgets[0].max_tokens: must be a whole number from 0 to 9007199254740992, got -1";
    QTest::newRow("fractional tokens") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1.5}])")
                                       << "budgets[0].max_tokens: must be a whole number from 0 to 9007199254740992, got 1.5";
    QTest::newRow("string tokens") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": "100"}])")
                                   << "budgets[0].max_tokens: must be a whole number from 0 to 9007199254740992, got \"100\"";
    QTest::newRow("huge tokens") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1e20}])")
                                 << "budgets[0].max_tokens: must be a whole number from 0 to 9007199254740992, got 1e+20";
    QTest::newRow("requests null") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_requests": null}])")
                                   << "budgets[0].max_requests: must be a whole number from 0 to 9007199254740992, got null";
    QTest::newRow("negative cost") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": -5}])")
                                   << "budgets[0].max_cost: must be an amount from 0 to 1000000000 such as 5 or 0.25, got -5";
    QTest::newRow("cost text") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": "five"}])")
                               << "budgets[0].max_cost: must be an amount from 0 to 1000000000 such as 5 or 0.25, got \"five\"";
    QTest::newRow("cost too big") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": 1000000001}])")
                                  << "budgets[0].max_cost: must be an amount from 0 to 1000000000 such as 5 or 0.25, got 1000000001";
    QTest::newRow("cost bool") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": true}])")
                               << "budgets[0].max_cost: must be an amount from 0 to 1000000000 such as 5 or 0.25, got true";
    QTest::newRow("alert zero") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1, "alert_at": 0}])")
                                << "budgets[0].alert_at: must be a fraction above 0 and at most 1, such as 0.8, got 0";
    QTest::newRow("alert percent") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1, "alert_at": 80}])")
                                   << "budgets[0].alert_at: must be a fraction above 0 and at most 1, such as 0.8, got 80";
    QTest::newRow("alert text") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1, "alert_at": "0.8"}])")
                                << "budgets[0].alert_at: must be a fraction above 0 and at most 1, such as 0.8, got \"0.8\"";
    QTest::newRow("currency long") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": 1, "currency": "EURO"}])")
                                   << "budgets[0].currency: must be a three-letter code such as \"USD\", got \"EURO\"";
    QTest::newRow("currency symbol") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_cost": 1, "currency": "$"}])")
                                     << "budgets[0].currency: must be a three-letter code such as \"USD\", got \"$\"";
    QTest::newRow("match empty") << QByteArray(R"([{"scope": "tenant", "match": "", "window": "day", "max_tokens": 1}])")
                                 << "budgets[0].match: must be a non-empty name or glob (* and ?), got \"\"";
    QTest::newRow("match number") << QByteArray(R"([{"scope": "tenant", "match": 7, "window": "day", "max_tokens": 1}])")
                                  << "budgets[0].match: must be a non-empty name or glob (* and ?), got 7";
    QTest::newRow("name blank") << QByteArray(R"([{"scope": "tenant", "window": "day", "max_tokens": 1, "name": "  "}])")
                                << "budgets[0].name: must be a non-empty string, got \"  \"";
}

void tst_BudgetRule::invalid()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!BudgetRule::listFromJson(parse(json), &message));
    QCOMPARE(message, error);
}

void tst_BudgetRule::nothingHalfParsed()
{
    // The error return carries no rules at all, and a null error pointer is allowed.
    const auto rules = BudgetRule::listFromJson(parse(R"([
        {"scope": "tenant", "window": "day", "max_tokens": 1},
        {"scope": "tenant", "window": "day", "max_tokens": -1}])"));
    QVERIFY(!rules.has_value());
}

void tst_BudgetRule::roundTrip_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("full") << QByteArray(R"({"scope": "tenant", "match": "acme-*", "window": "day", "max_tokens": 2000000,
                                            "max_cost": 4.98, "max_requests": 1000, "alert_at": 0.75, "name": "Acme daily",
                                            "currency": "EUR"})");
    QTest::newRow("global") << QByteArray(R"({"scope": "global", "window": "month", "max_cost": 0.000001})");
    QTest::newRow("zero caps") << QByteArray(R"({"scope": "session", "window": "total", "max_cost": 0, "max_tokens": 0})");
    QTest::newRow("largest cost") << QByteArray(R"({"scope": "model", "window": "hour", "max_cost": 999999999.999999})");
    QTest::newRow("largest tokens") << QByteArray(R"({"scope": "model", "window": "minute", "max_tokens": 9007199254740992})");
    QTest::newRow("alert 1") << QByteArray(R"({"scope": "model", "window": "request", "max_tokens": 10, "alert_at": 1})");
    QTest::newRow("refuse, floor") << QByteArray(R"({"scope": "session", "window": "total", "max_tokens": 10, "over_cap": "refuse",
                                                     "min_output_tokens": 200})");
}

void tst_BudgetRule::roundTrip()
{
    QFETCH(QByteArray, json);
    const auto rules = BudgetRule::listFromJson(QJsonArray{parse(json)});
    QVERIFY(rules);
    // Through text too, as the config file and the admin API carry it.
    const QByteArray written = QJsonDocument(rules->first().toJson()).toJson(QJsonDocument::Compact);
    const auto again = BudgetRule::listFromJson(QJsonArray{parse(written)});
    QVERIFY2(again, written.constData());
    QCOMPARE(again->first(), rules->first());
}

void tst_BudgetRule::costRoundTripIsExact()
{
    // Every amount of micro-units up to the limit must come back unchanged through JSON text.
    auto *random = QRandomGenerator::global();
    QList<qint64> samples = {0, 1, 10, 99, 100000, 4980000, 5000000, 123456789, 999999999999999, BudgetRule::MaxCostMicros};
    for (int i = 0; i < 20000; ++i)
        samples.append(qint64(random->bounded(quint64(BudgetRule::MaxCostMicros) + 1)));
    for (int i = 0; i < 2000; ++i)
        samples.append(qint64(random->bounded(100000)) * 10000 + random->bounded(3)); // cents, plus odd micros
    for (qint64 micros : samples) {
        BudgetRule rule;
        rule.maxCostMicros = micros;
        const QByteArray text = QJsonDocument(QJsonArray{rule.toJson()}).toJson(QJsonDocument::Compact);
        const auto back = BudgetRule::listFromJson(parse(text));
        QVERIFY2(back, text.constData());
        QCOMPARE(back->first().maxCostMicros, std::optional<qint64>(micros));
    }
}

void tst_BudgetRule::readOnlyKeysAreIgnored()
{
    QString error;
    const auto rules = BudgetRule::listFromJson(parse(R"([{"scope": "tenant", "window": "day", "max_tokens": 5,
        "display_name": "tenant * per day", "window_start": "2026-01-01T00:00:00+01:00",
        "resets_at": "2026-01-02T00:00:00+01:00", "usage": []}])"), &error);
    QVERIFY2(rules, qPrintable(error));
    QVERIFY(rules->first().name.isEmpty());
}

void tst_BudgetRule::displayName_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("name");
    QTest::newRow("tenant day") << QByteArray(R"({"scope": "tenant", "window": "day", "max_tokens": 1})") << "tenant * per day";
    QTest::newRow("session total") << QByteArray(R"({"scope": "session", "match": "agent-?", "window": "total", "max_tokens": 1})")
                                   << "session agent-? in total";
    QTest::newRow("global month") << QByteArray(R"({"scope": "global", "match": "x", "window": "month", "max_tokens": 1})")
                                  << "global per month";
    QTest::newRow("model request") << QByteArray(R"({"scope": "model", "match": "gpt-4*", "window": "request", "max_tokens": 1})")
                                   << "model gpt-4* per request";
    QTest::newRow("named") << QByteArray(R"({"scope": "model", "window": "minute", "max_tokens": 1, "name": "burst"})") << "burst";
}

void tst_BudgetRule::displayName()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, name);
    const auto rules = BudgetRule::listFromJson(QJsonArray{parse(json)});
    QVERIFY(rules);
    QCOMPARE(rules->first().displayName(), name);
}

void tst_BudgetRule::counterRuleIgnoresCapsAndCase()
{
    BudgetRule a;
    a.scope = BudgetScope::Tenant;
    a.match = QStringLiteral("Acme-*");
    a.window = BudgetWindow::Day;
    a.maxCostMicros = 5'000'000;
    BudgetRule b = a;
    b.match = QStringLiteral("acme-*");
    b.maxCostMicros = 9'000'000;
    b.maxTokens = 10;
    b.name = QStringLiteral("renamed");
    b.alertAt = 0.5;
    QCOMPARE(a.counterRule(), QStringLiteral("tenant|acme-*|day"));
    QCOMPARE(b.counterRule(), a.counterRule());
    BudgetRule global;
    global.scope = BudgetScope::Global;
    global.match = QStringLiteral("ignored");
    global.window = BudgetWindow::Total;
    QCOMPARE(global.counterRule(), QStringLiteral("global|*|total"));
    BudgetRule otherWindow = a;
    otherWindow.window = BudgetWindow::Month;
    QVERIFY(otherWindow.counterRule() != a.counterRule());
}

void tst_BudgetRule::appliesTo_data()
{
    QTest::addColumn<int>("scope");
    QTest::addColumn<QString>("match");
    QTest::addColumn<bool>("applies");
    QTest::addColumn<QString>("subject");
    const int global = int(BudgetScope::Global), tenant = int(BudgetScope::Tenant), session = int(BudgetScope::Session),
              model = int(BudgetScope::Model);
    QTest::newRow("global ignores match") << global << "nothing-like-it" << true << "";
    QTest::newRow("tenant star") << tenant << "*" << true << "acme";
    QTest::newRow("tenant exact") << tenant << "acme" << true << "acme";
    QTest::newRow("tenant exact other case") << tenant << "ACME" << true << "acme";
    QTest::newRow("tenant other") << tenant << "globex" << false << "acme";
    QTest::newRow("session glob") << session << "agent-?" << true << "agent-1";
    QTest::newRow("session glob needs two") << session << "agent-??" << false << "agent-1";
    QTest::newRow("model prefix") << model << "GPT-4*" << true << "gpt-4o-mini";
    QTest::newRow("model looks at model, not tenant") << model << "acme" << false << "gpt-4o";
}

void tst_BudgetRule::appliesTo()
{
    QFETCH(int, scope);
    QFETCH(QString, match);
    QFETCH(bool, applies);
    QFETCH(QString, subject);
    BudgetRule rule;
    rule.scope = BudgetScope(scope);
    rule.match = match;
    const BudgetSubject who{QStringLiteral("acme"), QStringLiteral("agent-1"), QStringLiteral("gpt-4o-mini")};
    QCOMPARE(rule.appliesTo(who), applies);
    if (rule.scope != BudgetScope::Model)
        QCOMPARE(rule.subjectOf(who), subject);
}

QTEST_GUILESS_MAIN(tst_BudgetRule)
#include "tst_BudgetRule.moc"
