// UpstreamViewJson: the admin API's shape of an upstream, a transition and a test result:
// snake_case keys, times in ISO 8601 UTC, an unmeasured percentile null, and no key anywhere.
#include "upstream/UpstreamViewJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

class tst_UpstreamViewJson : public QObject
{
    Q_OBJECT
private slots:
    void viewHasTheDocumentedKeys()
    {
        UpstreamView v;
        v.name = QStringLiteral("deepseek");
        v.preset = QStringLiteral("deepseek");
        v.dialect = QStringLiteral("openai");
        v.baseUrl = QStringLiteral("https://api.deepseek.com/v1");
        v.keySource = QStringLiteral("env:DEEPSEEK_API_KEY");
        v.keyHint = QStringLiteral("sk-…a1b2");
        v.models = {QStringLiteral("deepseek-*")};
        v.breaker = QStringLiteral("open");
        v.breakerReason = QStringLiteral("5 failures in a row (last: 503)");
        v.breakerSinceMs = 1'800'000'000'000;
        v.retryAtMs = 1'800'000'012'000;
        v.modelBreakers = {UpstreamModelBreakerView{QStringLiteral("deepseek-chat"), QStringLiteral("open"), QStringLiteral("429"), 0}};
        v.inFlight = 3;
        v.limit = 16;
        v.errorRate = 0.25;
        v.latencyP50Ms = 184;
        const QJsonObject o = UpstreamViewJson::toJson(v);
        QCOMPARE(o.value("name").toString(), QStringLiteral("deepseek"));
        QCOMPARE(o.value("base_url").toString(), QStringLiteral("https://api.deepseek.com/v1"));
        QCOMPARE(o.value("key_source").toString(), QStringLiteral("env:DEEPSEEK_API_KEY"));
        QCOMPARE(o.value("breaker").toObject().value("state").toString(), QStringLiteral("open"));
        QCOMPARE(o.value("breaker").toObject().value("since").toString(), QStringLiteral("2027-01-15T08:00:00.000Z"));
        QCOMPARE(o.value("breaker").toObject().value("retry_at").toString(), QStringLiteral("2027-01-15T08:00:12.000Z"));
        QCOMPARE(o.value("model_breakers").toArray().size(), 1);
        QCOMPARE(o.value("model_breakers").toArray().first().toObject().value("model").toString(), QStringLiteral("deepseek-chat"));
        QCOMPARE(o.value("in_flight").toInt(), 3);
        QCOMPARE(o.value("error_rate").toDouble(), 0.25);
        QCOMPARE(o.value("latency_p50_ms").toInteger(), 184);
        QVERIFY(o.value("latency_p99_ms").isNull());
        QCOMPARE(o.value("last_probe").toObject().value("at").toString(), QString());
        for (const char *key : {"preset", "dialect", "enabled", "key_hint", "key_missing", "models", "priority", "weight",
                                "limit", "configured_limit", "queued", "max_queue", "requests", "failures", "ttft_p50_ms"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        const QByteArray text = QJsonDocument(o).toJson();
        QVERIFY(!text.contains("api_key"));
    }

    void testResultAndTransition()
    {
        const QJsonObject r = UpstreamViewJson::toJson(
            UpstreamTestResult{QStringLiteral("deepseek"), true, 200, 184, QStringLiteral("deepseek-chat"), QStringLiteral("200 in 184 ms")});
        QCOMPARE(r.value("ok").toBool(), true);
        QCOMPARE(r.value("status").toInt(), 200);
        QCOMPARE(r.value("latency_ms").toInteger(), 184);
        QCOMPARE(r.value("message").toString(), QStringLiteral("200 in 184 ms"));
        const QJsonObject t = UpstreamViewJson::toJson(UpstreamTransitionView{QStringLiteral("deepseek"), QString(), QStringLiteral("closed"),
                                                                              QStringLiteral("open"), 1'800'000'000'000, QStringLiteral("timeouts")});
        QCOMPARE(t.value("to").toString(), QStringLiteral("open"));
        QCOMPARE(t.value("at").toString(), QStringLiteral("2027-01-15T08:00:00.000Z"));
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamViewJson)
#include "tst_UpstreamViewJson.moc"
