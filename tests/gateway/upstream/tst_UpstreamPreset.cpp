// UpstreamPreset: every preset loads into a config that validates, and sends a chat request to
// the URL its provider documents.
#include "config/GatewayConfig.h"
#include "upstream/UpstreamPreset.h"

#include <QtTest>

class tst_UpstreamPreset : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyPresetLoads_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("chatUrl");
        QTest::addColumn<QString>("keyEnv");
        QTest::addColumn<QString>("model");
        QTest::newRow("openai") << "openai" << "https://api.openai.com/v1/chat/completions" << "OPENAI_API_KEY" << "gpt-4o";
        QTest::newRow("anthropic") << "anthropic" << "https://api.anthropic.com/v1/messages" << "ANTHROPIC_API_KEY" << "claude-sonnet-4-5";
        QTest::newRow("deepseek") << "deepseek" << "https://api.deepseek.com/v1/chat/completions" << "DEEPSEEK_API_KEY" << "deepseek-chat";
        QTest::newRow("qwen") << "qwen" << "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions" << "DASHSCOPE_API_KEY" << "qwen-plus";
        QTest::newRow("moonshot") << "moonshot" << "https://api.moonshot.cn/v1/chat/completions" << "MOONSHOT_API_KEY" << "kimi-k2-0905-preview";
        QTest::newRow("zhipu") << "zhipu" << "https://open.bigmodel.cn/api/paas/v4/chat/completions" << "ZHIPUAI_API_KEY" << "glm-4.6";
        QTest::newRow("openrouter") << "openrouter" << "https://openrouter.ai/api/v1/chat/completions" << "OPENROUTER_API_KEY" << "anthropic/claude-sonnet-4";
        QTest::newRow("groq") << "groq" << "https://api.groq.com/openai/v1/chat/completions" << "GROQ_API_KEY" << "llama-3.3-70b-versatile";
        QTest::newRow("ollama") << "ollama" << "http://127.0.0.1:11434/v1/chat/completions" << "" << "qwen2.5-coder:7b";
        QTest::newRow("vllm") << "vllm" << "http://127.0.0.1:8000/v1/chat/completions" << "" << "meta-llama/Llama-3.1-8B-Instruct";
        QTest::newRow("lmstudio") << "lmstudio" << "http://127.0.0.1:1234/v1/chat/completions" << "" << "qwen2.5-7b-instruct";
    }
    void everyPresetLoads()
    {
        QFETCH(QString, id);
        QFETCH(QString, chatUrl);
        QFETCH(QString, keyEnv);
        QFETCH(QString, model);
        const UpstreamPreset *preset = UpstreamPreset::find(id);
        QVERIFY(preset);
        QCOMPARE(preset->apiKeyEnv, keyEnv);
        QCOMPARE(preset->needsKey, !keyEnv.isEmpty());
        QVERIFY(!preset->label.isEmpty() && !preset->note.isEmpty());
        QString error;
        const auto c = GatewayConfig::fromJson(QJsonObject{{"upstreams", QJsonArray{QJsonObject{{"preset", id}}}}}, &error);
        QVERIFY2(c, qPrintable(error));
        const UpstreamConfig &u = c->upstreams.first();
        QCOMPARE(u.name, id); // named after its preset unless it says otherwise
        QCOMPARE(u.apiKeyEnv, keyEnv);
        QCOMPARE(u.models, preset->models);
        QVERIFY(u.servesModel(model));
        const QByteArray path = u.dialect == ApiDialect::Anthropic ? "/v1/messages" : "/v1/chat/completions";
        QCOMPARE(u.urlFor(path, {}).toString(), chatUrl);
        // The health check reaches the provider's model list, below the same base.
        QVERIFY(u.urlFor(u.healthCheck.path, {}).toString().startsWith(preset->baseUrl.toString()));
    }

    void entryKeysWinOverThePreset()
    {
        QString error;
        const QJsonObject entry{{"preset", "deepseek"}, {"name", "ds-proxy"}, {"base_url", "https://llm.corp.example/deepseek/v1"},
                                {"models", QJsonArray{"deepseek-chat"}}, {"api_key_secret", "deepseek"}};
        const auto c = GatewayConfig::fromJson(QJsonObject{{"upstreams", QJsonArray{entry}}}, &error);
        QVERIFY2(c, qPrintable(error));
        const UpstreamConfig &u = c->upstreams.first();
        QCOMPARE(u.name, QStringLiteral("ds-proxy"));
        QCOMPARE(u.baseUrl.toString(), QStringLiteral("https://llm.corp.example/deepseek/v1"));
        QCOMPARE(u.models, QStringList{"deepseek-chat"});
        QVERIFY(u.apiKeyEnv.isEmpty()); // its own key source: the preset's variable is not added
        QCOMPARE(u.keySource, UpstreamConfig::KeySource::SecretStore);
        QCOMPARE(u.dialect, ApiDialect::OpenAi); // what it did not say, from the preset
    }

    void localPresetsProbeSooner()
    {
        const UpstreamPreset *ollama = UpstreamPreset::find("ollama");
        QVERIFY(ollama->healthCheck);
        QVERIFY(ollama->healthCheck->timeoutMs < UpstreamHealthCheck().timeoutMs);
    }

    void unknownPresetListsTheKnownOnes()
    {
        QString error;
        QVERIFY(!GatewayConfig::fromJson(QJsonObject{{"upstreams", QJsonArray{QJsonObject{{"preset", "gemini"}}}}}, &error));
        QVERIFY2(error.contains("upstreams[0].preset: unknown preset 'gemini'"), qPrintable(error));
        for (const UpstreamPreset &p : UpstreamPreset::all())
            QVERIFY2(error.contains(p.id), qPrintable(p.id));
    }

    void findIgnoresCase()
    {
        QVERIFY(UpstreamPreset::find("DeepSeek"));
        QVERIFY(!UpstreamPreset::find("deep"));
    }

    void catalogJson()
    {
        const QJsonObject catalog = UpstreamPreset::catalogJson();
        const QJsonArray presets = catalog.value("presets").toArray();
        QCOMPARE(presets.size(), UpstreamPreset::all().size());
        QStringList ids;
        for (const QJsonValue &v : presets) {
            const QJsonObject p = v.toObject();
            QCOMPARE(QStringList(p.keys()), (QStringList{"api_key_env", "base_url", "dialect", "id", "label", "models", "needs_key", "note"}));
            ids << p.value("id").toString();
        }
        QCOMPARE(ids, UpstreamPreset::ids());
        const QJsonObject zhipu = presets.at(ids.indexOf("zhipu")).toObject();
        QCOMPARE(zhipu.value("base_url").toString(), QStringLiteral("https://open.bigmodel.cn/api/paas/v4"));
        QCOMPARE(zhipu.value("dialect").toString(), QStringLiteral("openai"));
        QCOMPARE(zhipu.value("models").toArray(), QJsonArray{"glm-*"});
        QCOMPARE(presets.at(ids.indexOf("anthropic")).toObject().value("dialect").toString(), QStringLiteral("anthropic"));
        QCOMPARE(presets.at(ids.indexOf("ollama")).toObject().value("needs_key").toBool(), false);
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamPreset)
#include "tst_UpstreamPreset.moc"
