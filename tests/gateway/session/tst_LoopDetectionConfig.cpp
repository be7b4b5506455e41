// `loop_detection` in the config file: PRODUCT.md's example and the defaults, every key read,
// unknown keys and bad values refused with the key named, rules (first match wins, starting from
// the top-level settings), toJson reading back the same, and GatewayConfig carrying it.
#include "config/GatewayConfig.h"
#include "session/LoopDetectionConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

namespace {
QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}
} // namespace

class tst_LoopDetectionConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void productExampleAndDefaults()
    {
        QString error;
        const std::optional<LoopDetectionConfig> c = LoopDetectionConfig::fromJson(parse(R"({"enabled": true, "mode": "block"})"), &error);
        QVERIFY2(c, qPrintable(error));
        const LoopSettings &s = c->defaults;
        QVERIFY(s.enabled);
        QVERIFY(!s.warnOnly);
        QCOMPARE(s.cooldownSeconds, 300);
        QCOMPARE(c->maxSessions, 1024);
        QCOMPARE(s.velocityMinRequests, 40);
        QCOMPARE(s.velocityMinRequestsWithoutHistory, 200);
        QCOMPARE(s.repetitionCount, 10);
        QCOMPARE(s.toolRepeatCount, 6);
        QCOMPARE(s.pingPongHandoffs, 5);
        QCOMPARE(s.spendCostMicrosPerMinute, qint64(10000000));
        QVERIFY(c->rules.isEmpty());
        QCOMPARE(&c->settingsFor(u"any", u"one"), &c->defaults);
    }

    void everyKeyIsRead()
    {
        QString error;
        const std::optional<LoopDetectionConfig> c = LoopDetectionConfig::fromJson(parse(R"({
            "enabled": true, "mode": "warn", "cooldown": 0, "max_sessions": 100,
            "velocity": {"enabled": false, "window": 5, "baseline": 600, "min_requests": 20, "min_requests_without_history": 90, "factor": 4.5},
            "repetition": {"enabled": true, "window": 30, "count": 4, "similarity": 0.8},
            "tool_calls": {"enabled": true, "window": 60, "repeat": 3, "cycle": 2},
            "ping_pong": {"enabled": true, "window": 10, "handoffs": 2, "containment": 0.5},
            "spend": {"enabled": true, "window": 30, "tokens_per_minute": 100000, "cost_per_minute": 0.25}
        })"), &error);
        QVERIFY2(c, qPrintable(error));
        const LoopSettings &s = c->defaults;
        QVERIFY(s.warnOnly);
        QCOMPARE(s.cooldownSeconds, 0);
        QCOMPARE(c->maxSessions, 100);
        QVERIFY(!s.velocityEnabled);
        QCOMPARE(s.velocityWindow, 5);
        QCOMPARE(s.velocityBaseline, 600);
        QCOMPARE(s.velocityMinRequests, 20);
        QCOMPARE(s.velocityMinRequestsWithoutHistory, 90);
        QCOMPARE(s.velocityFactor, 4.5);
        QCOMPARE(s.repetitionWindow, 30);
        QCOMPARE(s.repetitionCount, 4);
        QCOMPARE(s.repetitionSimilarity, 0.8);
        QCOMPARE(s.toolWindow, 60);
        QCOMPARE(s.toolRepeatCount, 3);
        QCOMPARE(s.toolCycleRepeats, 2);
        QCOMPARE(s.pingPongWindow, 10);
        QCOMPARE(s.pingPongHandoffs, 2);
        QCOMPARE(s.pingPongContainment, 0.5);
        QCOMPARE(s.spendWindow, 30);
        QCOMPARE(s.spendTokensPerMinute, qint64(100000));
        QCOMPARE(s.spendCostMicrosPerMinute, qint64(250000));
        QCOMPARE(c->longestWindowMs(), qint64(605000));
    }

    void badInputNamesTheKey_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not an object") << QByteArray("[1]") << QStringLiteral("loop_detection: must be an object");
        QTest::newRow("unknown key") << QByteArray(R"({"enable": true})") << QStringLiteral("loop_detection.enable: unknown key");
        QTest::newRow("bad mode") << QByteArray(R"({"mode": "stop"})") << QStringLiteral("loop_detection.mode: must be \"block\" or \"warn\", got \"stop\"");
        QTest::newRow("enabled not bool") << QByteArray(R"({"enabled": "yes"})") << QStringLiteral("loop_detection.enabled: must be true or false");
        QTest::newRow("negative cooldown") << QByteArray(R"({"cooldown": -1})") << QStringLiteral("loop_detection.cooldown: must be a whole number");
        QTest::newRow("max_sessions zero") << QByteArray(R"({"max_sessions": 0})") << QStringLiteral("loop_detection.max_sessions");
        QTest::newRow("unknown signal key") << QByteArray(R"({"repetition": {"threshold": 3}})") << QStringLiteral("loop_detection.repetition.threshold: unknown key");
        QTest::newRow("count too small") << QByteArray(R"({"repetition": {"count": 1}})") << QStringLiteral("loop_detection.repetition.count: must be a whole number from 2 to 32, got 1");
        QTest::newRow("fractional window") << QByteArray(R"({"velocity": {"window": 2.5}})") << QStringLiteral("loop_detection.velocity.window");
        QTest::newRow("similarity out of range") << QByteArray(R"({"repetition": {"similarity": 1.5}})") << QStringLiteral("loop_detection.repetition.similarity: must be a number from 0.5 to 1");
        QTest::newRow("signal not object") << QByteArray(R"({"spend": 5})") << QStringLiteral("loop_detection.spend: must be an object");
        QTest::newRow("bad cost") << QByteArray(R"({"spend": {"cost_per_minute": -2}})") << QStringLiteral("loop_detection.spend.cost_per_minute");
        QTest::newRow("rules not array") << QByteArray(R"({"rules": {}})") << QStringLiteral("loop_detection.rules: must be an array");
        QTest::newRow("rule bad scope") << QByteArray(R"({"rules": [{"scope": "user", "match": "*"}]})") << QStringLiteral("loop_detection.rules[0].scope");
        QTest::newRow("rule no match") << QByteArray(R"({"rules": [{"scope": "session"}]})") << QStringLiteral("loop_detection.rules[0].match");
        QTest::newRow("rule unknown key") << QByteArray(R"({"rules": [{"scope": "session", "match": "*", "max_sessions": 3}]})")
                                          << QStringLiteral("loop_detection.rules[0].max_sessions: unknown key");
        QTest::newRow("rule bad threshold") << QByteArray(R"({"rules": [{"scope": "tenant", "match": "*"}, {"scope": "tenant", "match": "x", "tool_calls": {"repeat": 0}}]})")
                                            << QStringLiteral("loop_detection.rules[1].tool_calls.repeat");
    }
    void badInputNamesTheKey()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        QString error;
        const QJsonDocument doc = QJsonDocument::fromJson(json);
        const QJsonValue value = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        QVERIFY(!LoopDetectionConfig::fromJson(value, &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void rulesStartFromTheTopLevelAndFirstMatchWins()
    {
        QString error;
        const std::optional<LoopDetectionConfig> c = LoopDetectionConfig::fromJson(parse(R"({
            "rules": [
                {"scope": "session", "match": "ci-*", "mode": "warn"},
                {"scope": "tenant", "match": "batch*", "velocity": {"min_requests": 500}, "cooldown": 60},
                {"scope": "tenant", "match": "*", "repetition": {"count": 20}}
            ],
            "repetition": {"count": 5}
        })"), &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->rules.size(), 3);
        const LoopSettings &ci = c->settingsFor(u"ci-nightly", u"batch-jobs");
        QVERIFY(ci.warnOnly);
        QCOMPARE(ci.repetitionCount, 5); // from the top level, keys order notwithstanding
        QCOMPARE(ci.velocityMinRequests, 40);
        const LoopSettings &batch = c->settingsFor(u"dev", u"Batch-Jobs"); // globs ignore case
        QVERIFY(!batch.warnOnly);
        QCOMPARE(batch.velocityMinRequests, 500);
        QCOMPARE(batch.cooldownSeconds, 60);
        QCOMPARE(c->settingsFor(u"dev", u"web").repetitionCount, 20);
    }

    void toJsonReadsBackTheSame()
    {
        QString error;
        const std::optional<LoopDetectionConfig> c = LoopDetectionConfig::fromJson(parse(R"({
            "mode": "warn", "cooldown": 120, "spend": {"cost_per_minute": 2.5},
            "rules": [{"scope": "tenant", "match": "t*", "enabled": false, "ping_pong": {"handoffs": 9}}]
        })"), &error);
        QVERIFY2(c, qPrintable(error));
        const QJsonObject json = c->toJson();
        const std::optional<LoopDetectionConfig> again = LoopDetectionConfig::fromJson(json, &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(again->toJson(), json);
        QCOMPARE(json.value("mode").toString(), QStringLiteral("warn"));
        QCOMPARE(json.value("spend").toObject().value("cost_per_minute").toDouble(), 2.5);
        QCOMPARE(again->rules.size(), 1);
        QVERIFY(!again->rules.first().settings.enabled);
        QCOMPARE(again->rules.first().settings.pingPongHandoffs, 9);
        QCOMPARE(again->rules.first().settings.cooldownSeconds, 120);
    }

    void gatewayConfigCarriesIt()
    {
        QString error;
        std::optional<GatewayConfig> g = GatewayConfig::fromJson(parse(R"({"loop_detection": {"enabled": true, "mode": "warn", "cooldown": 30}})"), &error);
        QVERIFY2(g, qPrintable(error));
        QVERIFY(g->loopDetection.defaults.warnOnly);
        QCOMPARE(g->loopDetection.defaults.cooldownSeconds, 30);
        g = GatewayConfig::fromJson(parse(R"({"loop_detection": {"mode": "never"}})"), &error);
        QVERIFY(!g);
        QVERIFY2(error.contains(QStringLiteral("loop_detection.mode")), qPrintable(error));
        g = GatewayConfig::fromJson(QJsonObject(), &error);
        QVERIFY(g);
        QVERIFY(g->loopDetection.defaults.enabled);
    }
};

QTEST_GUILESS_MAIN(tst_LoopDetectionConfig)
#include "tst_LoopDetectionConfig.moc"
