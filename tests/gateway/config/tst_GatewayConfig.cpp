// GatewayConfig: what the config file may say, and the one clear message for each mistake.
#include "config/FileSecretStore.h"
#include "config/GatewayConfig.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
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
        QTest::newRow("api_key_env not a variable name")
            << QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"http://x/v1\", \"api_key_env\": \"not a variable\"}]}")
            << "upstreams[0].api_key_env must name an environment variable";
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
        const auto up = [](const char *keys) { return QByteArray("{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"https://x.example/v1\", ") + keys + "}]}"; };
        QTest::newRow("unknown preset") << QByteArray("{\"upstreams\": [{\"preset\": \"gemini\"}]}") << "upstreams[0].preset: unknown preset 'gemini' (known: openai, anthropic";
        QTest::newRow("preset not a string") << up("\"preset\": 1") << "upstreams[0].preset must be a string";
        QTest::newRow("enabled not bool") << up("\"enabled\": \"no\"") << "upstreams[0].enabled must be true or false";
        QTest::newRow("secret and env") << up("\"api_key_secret\": \"s\", \"api_key_env\": \"E\"") << "upstreams[0].api_key_secret";
        QTest::newRow("secret and key") << up("\"api_key_secret\": \"s\", \"api_key\": \"k\"") << "upstreams[0].api_key_secret";
        QTest::newRow("secret not a string") << up("\"api_key_secret\": []") << "upstreams[0].api_key_secret must be a string";
        QTest::newRow("negative max_queue") << up("\"max_queue\": -1") << "upstreams[0].max_queue must be a whole number of at least 0";
        QTest::newRow("zero queue timeout") << up("\"queue_timeout_ms\": 0") << "upstreams[0].queue_timeout_ms must be a whole number of at least 1";
        QTest::newRow("breaker_per_model not bool") << up("\"breaker_per_model\": 1") << "upstreams[0].breaker_per_model must be true or false";
        QTest::newRow("health_check not object") << up("\"health_check\": true") << "upstreams[0].health_check must be an object";
        QTest::newRow("health_check method") << up("\"health_check\": {\"method\": \"PUT\"}") << "upstreams[0].health_check.method";
        QTest::newRow("health_check path") << up("\"health_check\": {\"path\": \"models\"}") << "upstreams[0].health_check.path";
        QTest::newRow("health_check body string") << up("\"health_check\": {\"method\": \"POST\", \"body\": \"{}\"}") << "upstreams[0].health_check.body must be an object";
        QTest::newRow("health_check body with GET") << up("\"health_check\": {\"body\": {\"a\": 1}}") << "upstreams[0].health_check.body";
        QTest::newRow("health_check timeout") << up("\"health_check\": {\"timeout_ms\": 0}") << "upstreams[0].health_check.timeout_ms";
        QTest::newRow("health_check enabled") << up("\"health_check\": {\"enabled\": 0}") << "upstreams[0].health_check.enabled";
        QTest::newRow("health_check unknown key") << up("\"health_check\": {\"url\": \"/x\"}") << "upstreams[0].health_check: unknown key 'url'";
        QTest::newRow("tenants not array") << QByteArray("{\"tenants\": {}}") << "config.tenants";
        QTest::newRow("tenant not object") << QByteArray("{\"tenants\": [\"ci-*\"]}") << "tenants[0] must be an object";
        QTest::newRow("tenant without match") << QByteArray("{\"tenants\": [{\"priority\": 1}]}") << "tenants[0].match";
        QTest::newRow("tenant without priority") << QByteArray("{\"tenants\": [{\"match\": \"ci-*\"}]}") << "tenants[0].priority";
        QTest::newRow("tenant priority string") << QByteArray("{\"tenants\": [{\"match\": \"ci-*\", \"priority\": \"low\"}]}") << "tenants[0].priority";
        QTest::newRow("tenant priority too high") << QByteArray("{\"tenants\": [{\"match\": \"a\", \"priority\": 5000}]}") << "tenants[0].priority";
        QTest::newRow("tenant unknown key") << QByteArray("{\"tenants\": [{\"match\": \"a\", \"priority\": 1, \"tier\": 2}]}") << "tenants[0]: unknown key 'tier'";
        QTest::newRow("proxy not object") << QByteArray("{\"proxy\": \"http://p:3128\"}") << "config.proxy";
        QTest::newRow("proxy https not url") << QByteArray("{\"proxy\": {\"https\": \"proxy.corp\"}}") << "proxy.https";
        QTest::newRow("proxy http socks") << QByteArray("{\"proxy\": {\"http\": \"socks5://p:1080\"}}") << "proxy.http";
        QTest::newRow("proxy unknown key") << QByteArray("{\"proxy\": {\"ftp\": \"http://p\"}}") << "proxy: unknown key 'ftp'";
        QTest::newRow("no_proxy not array") << QByteArray("{\"proxy\": {\"no_proxy\": \"localhost\"}}") << "proxy.no_proxy";
        QTest::newRow("tls not object") << QByteArray("{\"tls\": \"/etc/ca.pem\"}") << "config.tls";
        QTest::newRow("ca bundle missing") << QByteArray("{\"tls\": {\"ca_bundle\": \"/nonexistent/tokenfuse-ca.pem\"}}") << "tls.ca_bundle: '/nonexistent/tokenfuse-ca.pem' does not exist";
        QTest::newRow("ca bundle a folder") << QByteArray("{\"tls\": {\"ca_bundle\": \"/tmp\"}}") << "tls.ca_bundle";
        QTest::newRow("tls unknown key") << QByteArray("{\"tls\": {\"verify\": false}}") << "tls: unknown key 'verify'";
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

    void upstreamKeysLoad()
    {
        QString error;
        const QByteArray json = "{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"https://x.example/v1\", \"enabled\": false, \"max_queue\": 0,"
                                " \"queue_timeout_ms\": 250, \"breaker_per_model\": false,"
                                " \"health_check\": {\"enabled\": false, \"method\": \"POST\", \"path\": \"/v1/chat/completions\","
                                " \"body\": {\"model\": \"m\", \"max_tokens\": 1}, \"timeout_ms\": 900}}]}";
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(json).object(), &error);
        QVERIFY2(c, qPrintable(error));
        const UpstreamConfig &u = c->upstreams.first();
        QVERIFY(!u.enabled);
        QCOMPARE(u.maxQueue, 0);
        QCOMPARE(u.queueTimeoutMs, 250);
        QVERIFY(!u.breakerPerModel);
        QVERIFY(!u.healthCheck.enabled);
        QCOMPARE(u.healthCheck.method, QByteArray("POST"));
        QCOMPARE(u.healthCheck.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(QJsonDocument::fromJson(u.healthCheck.body).object(), (QJsonObject{{"model", "m"}, {"max_tokens", 1}}));
        QCOMPARE(u.healthCheck.timeoutMs, 900);
    }

    void keyInTheFileIsWarnedAbout()
    {
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonDocument::fromJson(
            "{\"upstreams\": [{\"name\": \"a\", \"base_url\": \"https://x.example/v1\", \"api_key\": \"sk-written-down\"}]}").object(), &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->upstreams.first().keySource, UpstreamConfig::KeySource::Config);
        QCOMPARE(c->warnings.size(), 1);
        QVERIFY2(c->warnings.first().contains("api_key_env") && c->warnings.first().contains("secret store"), qPrintable(c->warnings.first()));
        QVERIFY(!c->warnings.join(' ').contains("sk-written-down"));
    }

    void secretStoreKeysResolve()
    {
        QTemporaryDir tmp;
        auto store = std::make_shared<FileSecretStore>(tmp.path());
        QString error;
        QVERIFY(store->write("deepseek", "sk-from-the-store", &error));
        const QJsonObject json = QJsonDocument::fromJson(
            "{\"upstreams\": [{\"preset\": \"deepseek\", \"api_key_secret\": \"deepseek\"}, {\"preset\": \"openai\", \"api_key_secret\": \"nowhere\"}]}").object();
        const auto c = GatewayConfig::fromJson(json, &error, store);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->secrets, std::shared_ptr<SecretStore>(store));
        const UpstreamConfig &d = c->upstreams.at(0);
        QCOMPARE(d.apiKey, QStringLiteral("sk-from-the-store"));
        QCOMPARE(d.keySource, UpstreamConfig::KeySource::SecretStore);
        QVERIFY(!d.keyMissing);
        QCOMPARE(d.keySourceText(), QStringLiteral("secret-store:deepseek"));
        const UpstreamConfig &o = c->upstreams.at(1);
        QVERIFY(o.apiKey.isEmpty());
        QVERIFY(o.keyMissing);
        QCOMPARE(c->warnings.size(), 1);
        QVERIFY2(c->warnings.first().contains("'nowhere'") && c->warnings.first().contains("(file)"), qPrintable(c->warnings.first()));
        QVERIFY(!c->warnings.join(' ').contains("sk-from-the-store"));

        // Without a store the key waits for one; resolveKeys binds it later.
        auto later = GatewayConfig::fromJson(json, &error);
        QVERIFY(later);
        QVERIFY(later->upstreams.at(0).keyMissing);
        QVERIFY(later->warnings.isEmpty());
        later->resolveKeys(store);
        QCOMPARE(later->upstreams.at(0).apiKey, QStringLiteral("sk-from-the-store"));
        QCOMPARE(later->warnings.size(), 1);

        // A damaged store is named in the warning, and loading goes on.
        QFile f(store->path());
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("not json");
        f.close();
        const auto damaged = GatewayConfig::fromJson(json, &error, store);
        QVERIFY(damaged);
        QVERIFY2(damaged->warnings.first().contains("damaged"), qPrintable(damaged->warnings.first()));
    }

    void networkAndTenantsLoad()
    {
        QTemporaryDir tmp;
        const QString bundle = tmp.path() + "/corp-ca.pem";
        QFile f(bundle);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("-----BEGIN CERTIFICATE-----\n");
        f.close();
        qputenv("HTTPS_PROXY", "http://env-proxy.example:8080");
        qputenv("NO_PROXY", "env.example");
        QString error;
        const QJsonObject json{{"tenants", QJsonArray{QJsonObject{{"match", "ci-*"}, {"priority", -1}}, QJsonObject{{"match", "alice"}, {"priority", 2}}}},
                               {"proxy", QJsonObject{{"https", "http://proxy.corp:3128"}, {"http", ""}, {"no_proxy", QJsonArray{"localhost", ".corp"}}}},
                               {"tls", QJsonObject{{"ca_bundle", bundle}}}};
        const auto c = GatewayConfig::fromJson(json, &error);
        qunsetenv("HTTPS_PROXY");
        qunsetenv("NO_PROXY");
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->tenantTiers.size(), 2);
        QCOMPARE(c->tierOf("ci-nightly"), -1);
        QCOMPARE(c->tierOf("alice"), 2);
        QCOMPARE(c->tierOf("bob"), 0);
        QCOMPARE(c->network.httpsProxy, QStringLiteral("http://proxy.corp:3128")); // the file wins over the environment
        QVERIFY(c->network.httpProxy.isEmpty());
        QCOMPARE(c->network.noProxy, (QStringList{"localhost", ".corp"}));
        QCOMPARE(c->network.caBundle, bundle);

        // Without "proxy" the environment's stays.
        qputenv("HTTPS_PROXY", "http://env-proxy.example:8080");
        const auto env = GatewayConfig::fromJson({}, &error);
        qunsetenv("HTTPS_PROXY");
        QCOMPARE(env->network.httpsProxy, QStringLiteral("http://env-proxy.example:8080"));

        // An unreadable bundle is refused by name (as root every file is readable).
        QVERIFY(QFile::setPermissions(bundle, QFileDevice::WriteOwner));
        if (!QFileInfo(bundle).isReadable()) {
            QVERIFY(!GatewayConfig::fromJson(json, &error));
            QVERIFY2(error.contains("tls.ca_bundle") && error.contains("cannot be read"), qPrintable(error));
        }
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
        QTest::newRow("zhipu v4") << "https://open.bigmodel.cn/api/paas/v4" << QByteArray("/v1/chat/completions") << QByteArray() << "https://open.bigmodel.cn/api/paas/v4/chat/completions";
        QTest::newRow("v4 trailing slash") << "https://api.z.ai/api/paas/v4/" << QByteArray("/v1/models") << QByteArray() << "https://api.z.ai/api/paas/v4/models";
        QTest::newRow("v2 base") << "https://h.example/api/v2" << QByteArray("/v1/embeddings") << QByteArray() << "https://h.example/api/v2/embeddings";
        QTest::newRow("not a version") << "https://h.example/v1beta" << QByteArray("/v1/chat/completions") << QByteArray() << "https://h.example/v1beta/v1/chat/completions";
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
