// GatewayConfig: what the config file may say, and the one clear message for each mistake.
#include "config/GatewayConfig.h"

#include <QJsonDocument>
#include <QtTest>

class tst_GatewayConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void productExampleLoads()
    {
        qputenv("TF_TEST_DEEPSEEK_KEY", "sk-secret");
        const QByteArray json = "{\n"
            "          \"listen\": \"127.0.0.1:8400\",\n"
            "          \"upstreams\": [\n"
            "            {\"name\": \"deepseek\", \"base_url\": \"https://api.deepseek.com/v1\", \"dialect\": \"openai\",\n"
            "             \"api_key_env\": \"TF_TEST_DEEPSEEK_KEY\", \"models\": [\"deepseek-*\"], \"priority\": 0, \"weight\": 1,\n"
            "             \"max_concurrency\": 64, \"timeouts_ms\": {\"connect\": 5000, \"first_byte\": 60000, \"idle\": 30000, \"total\": 600000}},\n"
            "            {\"name\": \"anthropic\", \"base_url\": \"https://api.anthropic.com\", \"dialect\": \"anthropic\",\n"
            "             \"api_key_env\": \"TF_TEST_UNSET_KEY\", \"models\": [\"claude-*\"], \"priority\": -1}\n"
            "          ],\n"
            "          \"budgets\": [{\"scope\": \"tenant\", \"match\": \"*\", \"window\": \"day\", \"max_tokens\": 2000000}],\n"
            "          \"rate_limits\": [{\"scope\": \"session\", \"match\": \"*\", \"rpm\": 120}],\n"
            "          \"loop_detection\": {\"enabled\": true},\n"
            "          \"pricing\": {\"deepseek-chat\": {\"input\": 0.27, \"cached_input\": 0.07, \"output\": 1.10, \"currency\": \"USD\"}}\n"
            "        }";
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(json).object(), &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->listenPort, 8400);
        QCOMPARE(c->upstreams.size(), 2);
        QCOMPARE(c->upstreams.at(0).name, QStringLiteral("anthropic")); // lower priority first
        const UpstreamConfig &d = c->upstreams.at(1);
        QCOMPARE(d.apiKey, QStringLiteral("sk-secret"));
        QCOMPARE(d.timeouts.firstByteMs, 60000);
        QVERIFY(d.servesModel("deepseek-chat"));
        QVERIFY(!d.servesModel("gpt-4o"));
        QVERIFY(c->upstreams.at(0).servesModel("CLAUDE-sonnet-4"));
        QVERIFY(!c->simulatorServesAll());
        // The unset key is worth a warning, never an error, and no warning shows a key.
        QCOMPARE(c->warnings.size(), 1);
        QVERIFY(c->warnings.at(0).contains("TF_TEST_UNSET_KEY"));
        QVERIFY(!c->warnings.join(' ').contains("sk-secret"));
    }

    void emptyConfigMeansSimulator()
    {
        QString error;
        const auto c = GatewayConfig::fromJson({}, &error);
        QVERIFY(c);
        QVERIFY(c->simulatorServesAll());
        QCOMPARE(c->listenHost, QStringLiteral("127.0.0.1"));
    }

    void mistakes_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown top-level key") << QByteArray(R"({"upstream": []})") << "unknown key 'upstream'";
        QTest::newRow("listen without port") << QByteArray(R"({"listen": "localhost"})") << "config.listen";
        QTest::newRow("listen bad port") << QByteArray(R"({"listen": "127.0.0.1:99999"})") << "port";
        QTest::newRow("upstreams not array") << QByteArray(R"({"upstreams": {}})") << "config.upstreams";
        QTest::newRow("upstream without name") << QByteArray("{\"upstreams\": [{\"base_url\": \"http://x/v1\"}]}") << "upstreams[0].name";
        QTest::newRow("bad base_url") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"ftp://x\"}]}") << "upstreams[0].base_url";
        QTest::newRow("bad dialect") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"dialect\": \"gemini\"}]}") << "upstreams[0].dialect";
        QTest::newRow("models not array") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"models\": \"gpt-*\"}]}") << "upstreams[0].models";
        QTest::newRow("negative timeout") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"timeouts_ms\": {\"idle\": -1}}]}") << "timeouts_ms.idle";
        QTest::newRow("unknown upstream key") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"apikey\": \"k\"}]}") << "unknown key 'apikey'";
        QTest::newRow("duplicate names") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\"}, {\"name\": \"a\", \"base_url\": \"http://y\"}]}") << "used twice";
        QTest::newRow("pricing not object") << QByteArray(R"({"pricing": []})") << "config.pricing";
        QTest::newRow("origin with a path") << QByteArray("{\"allowed_origins\": [\"http://localhost:3000/app\"]}") << "config.allowed_origins";
        QTest::newRow("origin without scheme") << QByteArray(R"({"allowed_origins": ["localhost:3000"]})") << "config.allowed_origins";
        QTest::newRow("origins not array") << QByteArray("{\"allowed_origins\": \"http://localhost:3000\"}") << "config.allowed_origins";
        QTest::newRow("host with port") << QByteArray(R"({"allowed_hosts": ["devbox.lan:8400"]})") << "config.allowed_hosts";
        QTest::newRow("host wildcard") << QByteArray(R"({"allowed_hosts": ["*"]})") << "config.allowed_hosts";
        QTest::newRow("breaker rate over 1") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"breaker\": {\"error_rate\": 1.5}}]}") << "upstreams[0].breaker.error_rate";
        QTest::newRow("breaker unknown key") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"breaker\": {\"threshold\": 3}}]}") << "unknown key 'threshold'";
        QTest::newRow("breaker cooldowns") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"breaker\": {\"cooldown_ms\": 9000, \"max_cooldown_ms\": 10}}]}") << "max_cooldown_ms must be at least cooldown_ms";
        QTest::newRow("alias not a name") << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x\", \"aliases\": {\"fast\": 3}}]}") << "upstreams[0].aliases.fast";
        QTest::newRow("too many attempts") << QByteArray("{\"retries\": {\"max_attempts\": 50}}") << "retries.max_attempts";
        QTest::newRow("no attempt at all") << QByteArray("{\"retries\": {\"max_attempts\": 0}}") << "retries.max_attempts";
        QTest::newRow("fallback to itself") << QByteArray("{\"model_fallbacks\": {\"m\": [\"n\", \"m\"]}}") << "model_fallbacks.m falls back to itself";
        QTest::newRow("fallback not a name") << QByteArray("{\"model_fallbacks\": {\"m\": 1}}") << "model_fallbacks.m";
        QTest::newRow("limit not a number") << QByteArray(R"({"limits": {"max_body_bytes": "big"}})") << "limits.max_body_bytes";
    }

    void mistakes()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mentions);
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(json).object(), &error);
        QVERIFY(!c);
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void resilienceKeysLoad()
    {
        QString error;
        const QByteArray json = R"({"upstreams": [{"name": "a", "base_url": "http://x/v1", "aliases": {"fast": "qwen2.5-coder-7b"},)"
                               R"("breaker": {"consecutive": 2, "error_rate": 0.25, "min_requests": 4, "window_ms": 5000,)"
                               R"("slow_ms": 900, "cooldown_ms": 100, "max_cooldown_ms": 800, "half_open_probes": 2}}],)"
                               R"("retries": {"max_attempts": 4, "base_delay_ms": 10, "max_delay_ms": 20, "deadline_ms": 300},)"
                               R"("model_fallbacks": {"deepseek-reasoner": "deepseek-chat", "gpt-4o": ["gpt-4o-mini", "deepseek-chat"]}})";
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(json).object(), &error);
        QVERIFY2(c, qPrintable(error));
        const UpstreamConfig &u = c->upstreams.first();
        QCOMPARE(u.breaker.consecutive, 2);
        QCOMPARE(u.breaker.errorRate, 0.25);
        QCOMPARE(u.breaker.minRequests, 4);
        QCOMPARE(u.breaker.windowMs, 5000);
        QCOMPARE(u.breaker.slowMs, 900);
        QCOMPARE(u.breaker.cooldownMs, 100);
        QCOMPARE(u.breaker.maxCooldownMs, 800);
        QCOMPARE(u.breaker.halfOpenProbes, 2);
        QVERIFY(u.servesModel(QStringLiteral("fast")));
        QCOMPARE(u.providerModel(QStringLiteral("fast")), QStringLiteral("qwen2.5-coder-7b"));
        QCOMPARE(u.providerModel(QStringLiteral("other")), QStringLiteral("other"));
        QCOMPARE(c->retry.maxAttempts, 4);
        QCOMPARE(c->retry.baseDelayMs, 10);
        QCOMPARE(c->retry.maxDelayMs, 20);
        QCOMPARE(c->retry.deadlineMs, 300);
        QCOMPARE(c->modelFallbacks.value(QStringLiteral("deepseek-reasoner")), QStringList{QStringLiteral("deepseek-chat")});
        QCOMPARE(c->modelFallbacks.value(QStringLiteral("gpt-4o")), (QStringList{QStringLiteral("gpt-4o-mini"), QStringLiteral("deepseek-chat")}));
    }

    void keyOverPlainHttpIsWarnedAbout()
    {
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(
            "{\"upstreams\": [{\"name\": \"lan\", \"base_url\": \"http://192.0.2.7/v1\", \"api_key\": \"k\"}]}").object(), &error);
        QVERIFY(c);
        QVERIFY(c->warnings.join(' ').contains("unencrypted"));
    }

    void allowedOriginsAndHostsLoad()
    {
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(
            "{\"allowed_origins\": [\"http://localhost:3000\", \"https://tool.example\"], \"allowed_hosts\": [\"devbox.lan\", \"[::1]\"]}").object(), &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->allowedOrigins, QStringList({"http://localhost:3000", "https://tool.example"}));
        QCOMPARE(c->allowedHosts, QStringList({"devbox.lan", "[::1]"}));
        const auto none = GatewayConfig::fromJson({}, &error);
        QVERIFY(none->allowedOrigins.isEmpty()); // local-only by default
        QVERIFY(none->allowedHosts.isEmpty());
    }

    // "models" globs: * crosses "/" (Hugging Face and OpenRouter ids), case is ignored.
    void servesModel_data()
    {
        QTest::addColumn<QStringList>("models");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("served");
        QTest::newRow("star, slashed id") << QStringList{"*"} << "meta-llama/Llama-3.3-70B-Instruct" << true;
        QTest::newRow("star, openrouter id") << QStringList{"*"} << "anthropic/claude-sonnet-4-6" << true;
        QTest::newRow("prefix glob, slashed id") << QStringList{"meta-llama/*"} << "meta-llama/Llama-3.3-70B-Instruct" << true;
        QTest::newRow("prefix glob does not cross") << QStringList{"claude-*"} << "anthropic/claude-sonnet-4-6" << false;
        QTest::newRow("provider glob") << QStringList{"*/claude-*"} << "anthropic/claude-sonnet-4-6" << true;
        QTest::newRow("case") << QStringList{"llama-*"} << "Llama-3.3-70B" << true;
        QTest::newRow("question") << QStringList{"gpt-?o"} << "gpt-4o" << true;
        QTest::newRow("second glob") << QStringList{"deepseek-*", "qwen*"} << "qwen3-coder-plus" << true;
        QTest::newRow("none") << QStringList{"deepseek-*"} << "gpt-4o" << false;
        QTest::newRow("empty list serves all") << QStringList{} << "anything/at-all" << true;
    }
    void servesModel()
    {
        QFETCH(QStringList, models);
        QFETCH(QString, model);
        QFETCH(bool, served);
        UpstreamConfig u;
        u.setModels(models);
        QCOMPARE(u.servesModel(model), served);
    }

    void urlFor_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("url");
        QTest::newRow("openai style") << "https://api.deepseek.com/v1" << QByteArray("/v1/chat/completions") << QByteArray() << "https://api.deepseek.com/v1/chat/completions";
        QTest::newRow("trailing slash") << "https://api.openai.com/v1/" << QByteArray("/v1/models") << QByteArray() << "https://api.openai.com/v1/models";
        QTest::newRow("anthropic style") << "https://api.anthropic.com" << QByteArray("/v1/messages") << QByteArray() << "https://api.anthropic.com/v1/messages";
        QTest::newRow("prefix path") << "http://127.0.0.1:11434/compat/v1" << QByteArray("/v1/chat/completions") << QByteArray() << "http://127.0.0.1:11434/compat/v1/chat/completions";
        QTest::newRow("dots resolved inside") << "http://h.example/proj-a/v1" << QByteArray("/v1/chat/./x/../completions") << QByteArray() << "http://h.example/proj-a/v1/chat/completions";
        // Above the base path the provider's key would go somewhere it was never meant for: no URL at all.
        QTest::newRow("encoded dots escape base") << "http://h.example/proj-a/v1" << QByteArray("/v1/%2e%2e/%2e%2e/admin/keys") << QByteArray() << "";
        QTest::newRow("plain dots escape base") << "http://h.example/proj-a/v1" << QByteArray("/v1/../../admin/keys") << QByteArray() << "";
        QTest::newRow("mixed case dots escape") << "https://api.anthropic.com" << QByteArray("/v1/.%2E/.%2e/x") << QByteArray() << "";
        QTest::newRow("query kept") << "https://x.example/v1" << QByteArray("/v1/files") << QByteArray("limit=2") << "https://x.example/v1/files?limit=2";
    }

    void urlFor()
    {
        QFETCH(QString, base);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, query);
        QFETCH(QString, url);
        UpstreamConfig u;
        u.baseUrl = QUrl(base);
        QCOMPARE(u.urlFor(path, query).toString(), url);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayConfig)
#include "tst_GatewayConfig.moc"
