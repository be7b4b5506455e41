#include "accounting/PriceTable.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <limits>

namespace {

constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test JSON does not parse: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return document.object();
}

// Small and fixed, so the matching rules are tested independently of the bundled prices.
PriceTable fixtureTable()
{
    const auto table = PriceTable::fromJson(parseObject(R"({
        "version": "test", "as_of": "2026-01",
        "models": [
            {"match": "gpt-4o*", "input": 2.5, "cached_input": 1.25, "output": 10},
            {"match": "gpt-4o-mini*", "input": 0.15, "cached_input": 0.075, "output": 0.6},
            {"match": "gpt-4o-2024-05-13", "input": 5, "output": 15},
            {"match": "claude-*", "input": 3, "output": 15},
            {"match": "claude-3-5-*", "input": 0.8, "output": 4},
            {"match": "claude-?-opus*", "input": 15, "output": 75},
            {"match": "deepseek-chat", "input": 0.28, "cached_input": 0.028, "output": 0.42}
        ],
        "fallback": {"input": 15, "output": 75}
    })"));
    if (!table)
        qFatal("fixture table does not load");
    return *table;
}

} // namespace

// Which price applies to a model, what a request costs, and that money stays exact integers.
class tst_PriceTable : public QObject
{
    Q_OBJECT

private slots:
    void priceFor_data();
    void priceFor();
    void fallbackIsFlagged();
    void overrides_data();
    void overrides();
    void overridesReplaceEarlierOverrides();
    void invalidOverrides_data();
    void invalidOverrides();
    void invalidTable_data();
    void invalidTable();
    void bundledResourceLoads();
    void bundledEntriesAreValid();
    void bundledPricesTodaysDefaults_data();
    void bundledPricesTodaysDefaults();
    void bundledLookups_data();
    void bundledLookups();
    void microsFromJson_data();
    void microsFromJson();
    void microsFromJsonIsExactForEveryCent();
    void configExampleIsExact();
    void costMicros_data();
    void costMicros();
};

void tst_PriceTable::priceFor_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<qint64>("input");

    QTest::newRow("exact beats glob") << "gpt-4o-2024-05-13" << "gpt-4o-2024-05-13" << qint64(5'000'000);
    QTest::newRow("glob") << "gpt-4o-2024-08-06" << "gpt-4o*" << qint64(2'500'000);
    QTest::newRow("star matches nothing") << "gpt-4o" << "gpt-4o*" << qint64(2'500'000);
    QTest::newRow("longest prefix wins") << "gpt-4o-mini-2024-07-18" << "gpt-4o-mini*" << qint64(150'000);
    QTest::newRow("longest prefix wins, other order") << "claude-3-5-sonnet-20241022" << "claude-3-5-*"
                                                      << qint64(800'000);
    QTest::newRow("shorter prefix still matches") << "claude-sonnet-4" << "claude-*" << qint64(3'000'000);
    QTest::newRow("question mark, tie goes to the longer pattern")
        << "claude-3-opus-20240229" << "claude-?-opus*" << qint64(15'000'000);
    QTest::newRow("case ignored, glob") << "GPT-4O-Mini" << "gpt-4o-mini*" << qint64(150'000);
    QTest::newRow("case ignored, exact") << "DeepSeek-Chat" << "deepseek-chat" << qint64(280'000);
    QTest::newRow("provider prefix") << "openai/gpt-4o-mini" << "gpt-4o-mini*" << qint64(150'000);
    QTest::newRow("two prefixes") << "openrouter/deepseek/deepseek-chat" << "deepseek-chat" << qint64(280'000);
    QTest::newRow("surrounding blanks") << " gpt-4o " << "gpt-4o*" << qint64(2'500'000);
    QTest::newRow("exact is not a prefix") << "deepseek-chat-v2" << "" << qint64(15'000'000);
    QTest::newRow("glob is anchored") << "my-gpt-4o" << "" << qint64(15'000'000);
    QTest::newRow("unknown model") << "llama-3.1-70b" << "" << qint64(15'000'000);
    QTest::newRow("prefix only") << "openai/" << "" << qint64(15'000'000);
    QTest::newRow("empty") << "" << "" << qint64(15'000'000);
}

void tst_PriceTable::priceFor()
{
    QFETCH(QString, model);
    QFETCH(QString, pattern);
    QFETCH(qint64, input);

    const Price price = fixtureTable().priceFor(model);
    QCOMPARE(price.matchedPattern, pattern);
    QCOMPARE(price.input, input);
    QCOMPARE(price.isFallback, pattern.isEmpty());
}

void tst_PriceTable::fallbackIsFlagged()
{
    const PriceTable table = fixtureTable();
    const Price price = table.priceFor(QStringLiteral("no-such-model"));
    QVERIFY(price.isFallback);
    QVERIFY(price.matchedPattern.isEmpty());
    QCOMPARE(price, table.fallback());
    QVERIFY(!table.priceFor(QStringLiteral("gpt-4o")).isFallback);

    // A table built without the resource still errs high.
    const Price builtIn = PriceTable().priceFor(QStringLiteral("gpt-4o"));
    QVERIFY(builtIn.isFallback);
    QCOMPARE(builtIn.input, qint64(15'000'000));
    QCOMPARE(builtIn.cachedInput, qint64(15'000'000));
    QCOMPARE(builtIn.output, qint64(75'000'000));
    QCOMPARE(builtIn.currency, QStringLiteral("USD"));
}

void tst_PriceTable::overrides_data()
{
    QTest::addColumn<QByteArray>("pricing");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("cachedInput");
    QTest::addColumn<qint64>("output");
    QTest::addColumn<QString>("currency");

    const QByteArray deepseek =
        R"({"deepseek-chat": {"input": 0.27, "cached_input": 0.07, "output": 1.10, "currency": "USD"}})";
    QTest::newRow("exact override beats bundled exact")
        << deepseek << "deepseek-chat" << "deepseek-chat" << qint64(270'000) << qint64(70'000)
        << qint64(1'100'000) << "USD";
    QTest::newRow("override reached through a provider prefix")
        << deepseek << "deepseek/deepseek-chat" << "deepseek-chat" << qint64(270'000) << qint64(70'000)
        << qint64(1'100'000) << "USD";
    QTest::newRow("other models keep their price")
        << deepseek << "gpt-4o" << "gpt-4o*" << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
        << "USD";
    QTest::newRow("glob override beats bundled exact, cached defaults to input")
        << QByteArray(R"({"deepseek-*": {"input": 1, "output": 2}})") << "deepseek-chat" << "deepseek-*"
        << qint64(1'000'000) << qint64(1'000'000) << qint64(2'000'000) << "USD";
    QTest::newRow("short glob override beats longer bundled glob")
        << QByteArray(R"({"gpt-*": {"input": 0.5, "cached_input": 0.25, "output": 1}})") << "gpt-4o-mini"
        << "gpt-*" << qint64(500'000) << qint64(250'000) << qint64(1'000'000) << "USD";
    QTest::newRow("decimal strings and a currency in lower case")
        << QByteArray(R"({"glm-4-plus": {"input": "5", "output": "5.00", "currency": "cny"}})") << "GLM-4-Plus"
        << "glm-4-plus" << qint64(5'000'000) << qint64(5'000'000) << qint64(5'000'000) << "CNY";
    QTest::newRow("a free local model is no longer unknown")
        << QByteArray(R"({"my-local-llama": {"input": 0, "output": 0, "note": "runs on my GPU"}})")
        << "my-local-llama" << "my-local-llama" << qint64(0) << qint64(0) << qint64(0) << "USD";
}

void tst_PriceTable::overrides()
{
    QFETCH(QByteArray, pricing);
    QFETCH(QString, model);
    QFETCH(QString, pattern);
    QFETCH(qint64, input);
    QFETCH(qint64, cachedInput);
    QFETCH(qint64, output);
    QFETCH(QString, currency);

    QString error;
    const auto table = fixtureTable().withOverrides(parseObject(pricing), &error);
    QVERIFY2(table, qPrintable(error));
    const Price price = table->priceFor(model);
    QCOMPARE(price.matchedPattern, pattern);
    QCOMPARE(price.input, input);
    QCOMPARE(price.cachedInput, cachedInput);
    QCOMPARE(price.output, output);
    QCOMPARE(price.currency, currency);
    QVERIFY(!price.isFallback);
}

void tst_PriceTable::overridesReplaceEarlierOverrides()
{
    const auto first = fixtureTable().withOverrides(parseObject(R"({"deepseek-chat": {"input": 9, "output": 9}})"));
    QVERIFY(first);
    QCOMPARE(first->priceFor(QStringLiteral("deepseek-chat")).input, qint64(9'000'000));
    // A reloaded config without the key brings the bundled price back.
    const auto second = first->withOverrides(parseObject(R"({"gpt-4o": {"input": 1, "output": 1}})"));
    QVERIFY(second);
    QCOMPARE(second->overrides().size(), 1);
    QCOMPARE(second->priceFor(QStringLiteral("deepseek-chat")).input, qint64(280'000));
    QCOMPARE(second->priceFor(QStringLiteral("gpt-4o")).input, qint64(1'000'000));
}

void tst_PriceTable::invalidOverrides_data()
{
    QTest::addColumn<QByteArray>("pricing");
    QTest::addColumn<QString>("message");

    QTest::newRow("negative") << QByteArray(R"({"deepseek-chat": {"input": -0.27, "output": 1}})")
                              << "pricing.deepseek-chat.input: must be a non-negative number";
    QTest::newRow("not a number") << QByteArray(R"({"m": {"input": "cheap", "output": 1}})")
                                  << "pricing.m.input: must be a non-negative number";
    QTest::newRow("exponent in a string") << QByteArray(R"({"m": {"input": "1e3", "output": 1}})")
                                          << "pricing.m.input:";
    QTest::newRow("bool") << QByteArray(R"({"m": {"input": 1, "output": true}})") << "pricing.m.output:";
    QTest::newRow("negative cached") << QByteArray(R"({"m": {"input": 1, "cached_input": -1, "output": 1}})")
                                     << "pricing.m.cached_input:";
    QTest::newRow("missing output") << QByteArray(R"({"m": {"input": 1}})") << "pricing.m.output: missing";
    QTest::newRow("typo in a key") << QByteArray(R"({"m": {"input": 1, "output": 1, "ouput": 2}})")
                                   << "pricing.m.ouput: unknown key";
    QTest::newRow("bad currency") << QByteArray(R"({"m": {"input": 1, "output": 1, "currency": "dollars"}})")
                                  << "pricing.m.currency:";
    QTest::newRow("too large") << QByteArray(R"({"m": {"input": 2000000, "output": 1}})")
                               << "pricing.m.input: 2000000 is above";
    QTest::newRow("not an object") << QByteArray(R"({"m": 0.5})") << "pricing.m: must be an object";
    QTest::newRow("empty key") << QByteArray(R"({"": {"input": 1, "output": 1}})") << "pricing: an empty key";
    QTest::newRow("same model twice") << QByteArray(R"({"M": {"input": 1, "output": 1}, "m": {"input": 2, "output": 2}})")
                                      << "same model as pricing.";
}

void tst_PriceTable::invalidOverrides()
{
    QFETCH(QByteArray, pricing);
    QFETCH(QString, message);

    const PriceTable table = fixtureTable();
    QString error;
    QVERIFY(!table.withOverrides(parseObject(pricing), &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!table.withOverrides(parseObject(pricing))); // no error pointer: still rejected, no crash
}

void tst_PriceTable::invalidTable_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");

    const QByteArray fallback = R"("fallback": {"input": 15, "output": 75})";
    QTest::newRow("models missing") << "{" + fallback + "}" << "models: must be an array";
    QTest::newRow("entry not an object") << R"({"models": [1], )" + fallback + "}" << "models[0]: must be an object";
    QTest::newRow("match missing") << R"({"models": [{"input": 1, "output": 1}], )" + fallback + "}"
                                   << "models[0].match:";
    QTest::newRow("negative price") << R"({"models": [{"match": "x*", "input": 1, "output": -2}], )" + fallback + "}"
                                    << "models[0] \"x*\".output: must be a non-negative number";
    QTest::newRow("listed twice") << R"({"models": [{"match": "x", "input": 1, "output": 1},
                                                    {"match": "X", "input": 1, "output": 1}], )" + fallback + "}"
                                  << "models[1] \"X\".match: listed twice";
    QTest::newRow("fallback missing") << QByteArray(R"({"models": []})") << "fallback: must be an object";
    QTest::newRow("fallback invalid") << QByteArray(R"({"models": [], "fallback": {"input": "x", "output": 1}})")
                                      << "fallback.input:";
}

void tst_PriceTable::invalidTable()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);

    QString error;
    QVERIFY(!PriceTable::fromJson(parseObject(json), &error));
    QVERIFY2(error.contains(message), qPrintable(error));
}

void tst_PriceTable::bundledResourceLoads()
{
    QFile file(QStringLiteral(":/tokenfuse/pricing.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString error; // also names any match listed twice
    QVERIFY2(PriceTable::fromJson(document.object(), &error), qPrintable(error));
    // As written, every entry names its currency and prices in whole micro-units (nothing rounded).
    const QJsonArray models = document.object().value(QStringLiteral("models")).toArray();
    for (const QJsonValue &value : models) {
        const QJsonObject entry = value.toObject();
        const QByteArray name = entry.value(QStringLiteral("match")).toString().toUtf8();
        QVERIFY2(entry.value(QStringLiteral("currency")).isString(), name.constData());
        for (const QString &key : {QStringLiteral("input"), QStringLiteral("cached_input"), QStringLiteral("output")}) {
            if (!entry.contains(key))
                continue;
            const std::optional<qint64> micros = PriceTable::microsFromJson(entry.value(key));
            QVERIFY2(micros, name.constData());
            QVERIFY2(qAbs(double(*micros) / 1e6 - entry.value(key).toDouble()) < 1e-9, name.constData());
        }
    }
    QVERIFY(document.object().value(QStringLiteral("fallback")).isObject());
}

void tst_PriceTable::bundledEntriesAreValid()
{
    const PriceTable table = PriceTable::bundled();
    QVERIFY(!table.version().isEmpty());
    QVERIFY(table.asOf().startsWith(QStringLiteral("20")));
    QVERIFY(table.entries().size() > 50);
    QVERIFY(table.overrides().isEmpty());

    for (const PriceTable::Entry &entry : table.entries()) {
        const QByteArray utf8 = entry.pattern.toUtf8();
        const char *name = utf8.constData();
        QVERIFY2(!entry.pattern.isEmpty(), name);
        QVERIFY2(!entry.provider.isEmpty(), name);
        QVERIFY2(entry.price.input >= 0 && entry.price.input <= PriceTable::MaxPriceMicros, name);
        QVERIFY2(entry.price.output >= 0 && entry.price.output <= PriceTable::MaxPriceMicros, name);
        QVERIFY2(entry.price.cachedInput >= 0, name);
        QVERIFY2(entry.price.cachedInput <= entry.price.input, name); // a cache never costs more
        QCOMPARE(entry.price.currency, QStringLiteral("USD"));
        QVERIFY2(!entry.price.isFallback, name);
        QCOMPARE(entry.price.matchedPattern, entry.pattern);
        // No entry is shadowed by another: its own literal text finds it.
        QString literal = entry.pattern;
        literal.remove(u'*').replace(u'?', u'x');
        QCOMPARE(table.priceFor(literal).matchedPattern, entry.pattern);
    }

    const Price fallback = table.fallback();
    QVERIFY(fallback.isFallback);
    QVERIFY(fallback.matchedPattern.isEmpty());
    QCOMPARE(fallback.currency, QStringLiteral("USD"));
    QCOMPARE(fallback.cachedInput, fallback.input); // no cache discount assumed for the unknown
    // Deliberately high: at least the dearest flagship in common use.
    for (const char *model : {"claude-opus-4-1", "gpt-4o", "gpt-5", "o3", "claude-sonnet-4-5", "qwen3-max"}) {
        const Price price = table.priceFor(QLatin1String(model));
        QVERIFY2(fallback.input >= price.input && fallback.output >= price.output, model);
    }
}

// The models Claude Code (2.1.197: opus, sonnet, haiku, fable aliases) and Codex CLI (0.171: its
// default gpt-6.2-sol) use by default, and the usual models of the provider presets (OpenAI,
// DeepSeek, Anthropic, Qwen), each with a price of its own, never the fallback.
void tst_PriceTable::bundledPricesTodaysDefaults_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");
    QTest::newRow("claude code opus") << "claude-opus-4-8" << qint64(5'000'000) << qint64(25'000'000);
    QTest::newRow("claude code sonnet") << "claude-sonnet-4-6" << qint64(3'000'000) << qint64(15'000'000);
    QTest::newRow("claude code sonnet 5") << "claude-sonnet-5" << qint64(2'000'000) << qint64(10'000'000);
    QTest::newRow("claude code haiku") << "claude-haiku-4-5" << qint64(1'000'000) << qint64(5'000'000);
    QTest::newRow("claude code haiku snapshot") << "claude-haiku-4-5-20251001" << qint64(1'000'000) << qint64(5'000'000);
    QTest::newRow("claude code fable") << "claude-fable-5" << qint64(10'000'000) << qint64(50'000'000);
    // Not in the catalog yet: priced as the dearest GPT-6 it lists (tools/pricing/own-entries.json).
    QTest::newRow("codex default") << "gpt-6.2-sol" << qint64(10'000'000) << qint64(50'000'000);
    QTest::newRow("codex gpt-6-sol") << "gpt-6-sol" << qint64(2'000'000) << qint64(10'000'000);
    QTest::newRow("openai gpt-4o") << "gpt-4o" << qint64(2'500'000) << qint64(10'000'000);
    QTest::newRow("openai gpt-5.5") << "gpt-5.5" << qint64(5'000'000) << qint64(30'000'000);
    QTest::newRow("deepseek chat") << "deepseek-chat" << qint64(135'000) << qint64(550'000);
    QTest::newRow("deepseek reasoner") << "deepseek-reasoner" << qint64(135'000) << qint64(550'000);
    QTest::newRow("anthropic sonnet 4.5") << "claude-sonnet-4-5" << qint64(3'000'000) << qint64(15'000'000);
    QTest::newRow("qwen plus") << "qwen-plus" << qint64(400'000) << qint64(1'200'000);
    QTest::newRow("qwen3 coder plus") << "qwen3-coder-plus" << qint64(1'000'000) << qint64(5'000'000);
    QTest::newRow("via openrouter") << "anthropic/claude-opus-4-8" << qint64(5'000'000) << qint64(25'000'000);
}

void tst_PriceTable::bundledPricesTodaysDefaults()
{
    QFETCH(QString, model);
    QFETCH(qint64, input);
    QFETCH(qint64, output);
    const Price price = PriceTable::bundled().priceFor(model);
    QVERIFY2(!price.isFallback, qPrintable(model));
    QCOMPARE(price.input, input);
    QCOMPARE(price.output, output);
    QCOMPARE(price.currency, QStringLiteral("USD"));
}

void tst_PriceTable::bundledLookups_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");

    QTest::newRow("gpt-4o-mini snapshot") << "gpt-4o-mini-2024-07-18" << "gpt-4o-mini-2024-07-18" << qint64(150'000) << qint64(600'000);
    QTest::newRow("gpt-4o") << "gpt-4o" << "gpt-4o" << qint64(2'500'000) << qint64(10'000'000);
    QTest::newRow("gpt-4.1-nano") << "gpt-4.1-nano" << "gpt-4.1-nano" << qint64(100'000) << qint64(400'000);
    QTest::newRow("o3-mini snapshot") << "o3-mini-2025-01-31" << "o3-mini-2025-01-31" << qint64(1'100'000) << qint64(4'400'000);
    QTest::newRow("gpt-5-mini snapshot") << "gpt-5-mini-2025-08-07" << "gpt-5-mini-2025-08-07" << qint64(250'000) << qint64(2'000'000);
    QTest::newRow("claude sonnet 4.5") << "claude-sonnet-4-5-20250929" << "claude-sonnet-4-5*" << qint64(3'000'000) << qint64(15'000'000);
    QTest::newRow("claude opus 4.5") << "claude-opus-4-5-20251101" << "claude-opus-4-5*" << qint64(5'000'000) << qint64(25'000'000);
    QTest::newRow("claude opus 4.1") << "claude-opus-4-1-20250805" << "claude-opus-4-1*" << qint64(15'000'000) << qint64(75'000'000);
    QTest::newRow("claude via a router") << "anthropic/claude-3-haiku-20240307" << "claude-3-haiku*" << qint64(250'000) << qint64(1'250'000);
    QTest::newRow("deepseek-reasoner") << "deepseek-reasoner" << "deepseek-reasoner" << qint64(135'000) << qint64(550'000);
    QTest::newRow("qwen3-coder-plus") << "qwen3-coder-plus" << "qwen3-coder-plus*" << qint64(1'000'000) << qint64(5'000'000);
    QTest::newRow("other qwen3") << "qwen3-32b" << "qwen3-*" << qint64(700'000) << qint64(8'400'000);
    QTest::newRow("kimi k2") << "kimi-k2-0905-preview" << "kimi-k2-0905-preview" << qint64(600'000) << qint64(2'500'000);
    QTest::newRow("kimi k2 thinking turbo") << "kimi-k2-thinking-turbo" << "kimi-k2-thinking-turbo" << qint64(1'150'000) << qint64(8'000'000);
    QTest::newRow("moonshot 8k") << "moonshot-v1-8k" << "moonshot-v1-8k" << qint64(200'000) << qint64(2'000'000);
    QTest::newRow("glm-4.5-airx") << "glm-4.5-airx" << "glm-4.5-airx*" << qint64(1'100'000) << qint64(4'500'000);
    QTest::newRow("glm-4-flash is free") << "glm-4-flash" << "glm-4-flash*" << qint64(0) << qint64(0);
    QTest::newRow("simulator") << "tokenfuse-sim" << "tokenfuse-sim*" << qint64(500'000) << qint64(1'500'000);
    QTest::newRow("unknown") << "totally-unknown-model" << "" << qint64(15'000'000) << qint64(75'000'000);
}

void tst_PriceTable::bundledLookups()
{
    QFETCH(QString, model);
    QFETCH(QString, pattern);
    QFETCH(qint64, input);
    QFETCH(qint64, output);

    const Price price = PriceTable::bundled().priceFor(model);
    QCOMPARE(price.matchedPattern, pattern);
    QCOMPARE(price.input, input);
    QCOMPARE(price.output, output);
}

void tst_PriceTable::microsFromJson_data()
{
    QTest::addColumn<QByteArray>("json"); // one JSON value
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("micros");

    QTest::newRow("0.27") << QByteArray("0.27") << true << qint64(270'000);
    QTest::newRow("1.10") << QByteArray("1.10") << true << qint64(1'100'000);
    QTest::newRow("0.075") << QByteArray("0.075") << true << qint64(75'000);
    QTest::newRow("0.005") << QByteArray("0.005") << true << qint64(5'000);
    QTest::newRow("0.1 + 0.2 as written") << QByteArray("0.3") << true << qint64(300'000);
    QTest::newRow("integer") << QByteArray("75") << true << qint64(75'000'000);
    QTest::newRow("zero") << QByteArray("0") << true << qint64(0);
    QTest::newRow("minus zero") << QByteArray("-0") << true << qint64(0);
    QTest::newRow("a million") << QByteArray("1000000") << true << qint64(1'000'000'000'000);
    QTest::newRow("seventh decimal rounds up") << QByteArray("0.1234561") << true << qint64(123'457);
    QTest::newRow("tiny rounds up to one") << QByteArray("0.0000001") << true << qint64(1);
    QTest::newRow("exponent") << QByteArray("2.5e1") << true << qint64(25'000'000);
    QTest::newRow("small exponent") << QByteArray("1e-7") << true << qint64(1);
    QTest::newRow("double noise is kept, rounded up") << QByteArray("0.30000000000000004") << true << qint64(300'001);
    QTest::newRow("decimal string") << QByteArray("\"0.27\"") << true << qint64(270'000);
    QTest::newRow("decimal string, blanks") << QByteArray("\" 2.50 \"") << true << qint64(2'500'000);
    QTest::newRow("long decimal string") << QByteArray("\"0.000000000000000001\"") << true << qint64(1);
    QTest::newRow("largest") << QByteArray("\"9223372036854.775807\"") << true << Int64Max;
    QTest::newRow("overflow string") << QByteArray("\"9223372036854.775808\"") << false << qint64(0);
    QTest::newRow("overflow number") << QByteArray("1e300") << false << qint64(0);
    QTest::newRow("negative") << QByteArray("-0.27") << false << qint64(0);
    QTest::newRow("negative string") << QByteArray("\"-1\"") << false << qint64(0);
    QTest::newRow("word") << QByteArray("\"abc\"") << false << qint64(0);
    QTest::newRow("exponent string") << QByteArray("\"1e3\"") << false << qint64(0);
    QTest::newRow("no leading digit") << QByteArray("\".5\"") << false << qint64(0);
    QTest::newRow("no decimals after dot") << QByteArray("\"5.\"") << false << qint64(0);
    QTest::newRow("empty string") << QByteArray("\"\"") << false << qint64(0);
    QTest::newRow("bool") << QByteArray("true") << false << qint64(0);
    QTest::newRow("null") << QByteArray("null") << false << qint64(0);
    QTest::newRow("object") << QByteArray("{}") << false << qint64(0);
}

void tst_PriceTable::microsFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QFETCH(qint64, micros);

    const QJsonValue value = QJsonDocument::fromJson("[" + json + "]").array().at(0);
    const std::optional<qint64> parsed = PriceTable::microsFromJson(value);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, micros);
}

void tst_PriceTable::microsFromJsonIsExactForEveryCent()
{
    // Every price written with up to three decimals below 100 comes out exact: the doubles the JSON
    // parser makes for them are never rounded the wrong way.
    for (int thousandths = 0; thousandths < 100'000; ++thousandths) {
        const QByteArray text = QByteArray::number(thousandths / 1000) + '.'
                                + QByteArray::number(thousandths % 1000).rightJustified(3, '0');
        const QJsonValue value = QJsonDocument::fromJson("[" + text + "]").array().at(0);
        const std::optional<qint64> micros = PriceTable::microsFromJson(value);
        if (!micros || *micros != qint64(thousandths) * 1000)
            QFAIL(qPrintable(QStringLiteral("%1 gave %2").arg(QString::fromLatin1(text)).arg(micros.value_or(-1))));
    }
}

void tst_PriceTable::configExampleIsExact()
{
    // The "pricing" example of the product's config, read the way the config loader reads it.
    const QJsonObject config = parseObject(
        R"({"pricing": {"deepseek-chat": {"input": 0.27, "cached_input": 0.07, "output": 1.10, "currency": "USD"}}})");
    const auto table = PriceTable::bundled().withOverrides(config.value(QStringLiteral("pricing")).toObject());
    QVERIFY(table);
    const Price price = table->priceFor(QStringLiteral("deepseek-chat"));
    QCOMPARE(price.input, qint64(270'000));
    QCOMPARE(price.cachedInput, qint64(70'000));
    QCOMPARE(price.output, qint64(1'100'000));
    QCOMPARE(PriceTable::costMicros(price, 1'000'000, 0, 0), qint64(270'000));
    QCOMPARE(PriceTable::costMicros(price, 3'700'000, 0, 0), qint64(999'000));
    QCOMPARE(PriceTable::costMicros(price, 1'000'000, 1'000'000, 1'000'000), qint64(70'000 + 1'100'000));
    QCOMPARE(PriceTable::costMicros(price, 100, 0, 0), qint64(27));
}

void tst_PriceTable::costMicros_data()
{
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("cachedInput");
    QTest::addColumn<qint64>("output");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("cachedTokens");
    QTest::addColumn<qint64>("completionTokens");
    QTest::addColumn<qint64>("cost");

    const qint64 max = PriceTable::MaxPriceMicros;
    QTest::newRow("a million prompt tokens") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                                             << qint64(1'000'000) << qint64(0) << qint64(0) << qint64(2'500'000);
    QTest::newRow("a million completion tokens") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                                                 << qint64(0) << qint64(0) << qint64(1'000'000) << qint64(10'000'000);
    QTest::newRow("cached part at the cached price") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                                                     << qint64(1'000) << qint64(400) << qint64(100)
                                                     << qint64(1'500 + 500 + 1'000);
    QTest::newRow("a fraction of a micro rounds up") << qint64(270'000) << qint64(0) << qint64(0)
                                                     << qint64(1) << qint64(0) << qint64(0) << qint64(1);
    QTest::newRow("rounded once per request") << qint64(270'000) << qint64(0) << qint64(1'100'000)
                                              << qint64(1) << qint64(0) << qint64(1) << qint64(2);
    QTest::newRow("just over stays over") << qint64(1'000'001) << qint64(0) << qint64(0)
                                          << qint64(1) << qint64(0) << qint64(0) << qint64(2);
    QTest::newRow("no tokens") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                               << qint64(0) << qint64(0) << qint64(0) << qint64(0);
    QTest::newRow("free model") << qint64(0) << qint64(0) << qint64(0)
                                << qint64(123'456) << qint64(0) << qint64(789) << qint64(0);
    QTest::newRow("cached clamps to prompt") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                                             << qint64(100) << qint64(500) << qint64(0) << qint64(125);
    QTest::newRow("negative counts are zero") << qint64(2'500'000) << qint64(1'250'000) << qint64(10'000'000)
                                              << qint64(-5) << qint64(-1) << qint64(-7) << qint64(0);
    QTest::newRow("huge counts") << qint64(15'000'000) << qint64(1'500'000) << qint64(75'000'000)
                                 << qint64(4'000'000'000'000'000) << qint64(0) << qint64(1'000'000'000'000'000)
                                 << qint64(60'000'000'000'000'000 + 75'000'000'000'000'000);
    QTest::newRow("huge counts with remainders") << qint64(75'000'000) << qint64(0) << qint64(0)
                                                 << qint64(4'000'000'000'999'999) << qint64(0) << qint64(0)
                                                 << qint64(300'000'000'000'000'000 + 74'999'925);
    QTest::newRow("largest price, largest remainders") << max << max << max << qint64(1'999'998) << qint64(999'999)
                                                       << qint64(999'999) << qint64(3) * 999'999 * 1'000'000;
    QTest::newRow("saturates") << qint64(75'000'000) << qint64(0) << qint64(0)
                               << Int64Max << qint64(0) << qint64(0) << Int64Max;
    QTest::newRow("saturates on the sum") << max << max << max << Int64Max / 2 << qint64(0) << Int64Max / 2
                                          << Int64Max;
    QTest::newRow("price above the cap is capped") << Int64Max << qint64(0) << qint64(0)
                                                   << qint64(999'999) << qint64(0) << qint64(0)
                                                   << qint64(999'999) * 1'000'000;
}

void tst_PriceTable::costMicros()
{
    QFETCH(qint64, input);
    QFETCH(qint64, cachedInput);
    QFETCH(qint64, output);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, cachedTokens);
    QFETCH(qint64, completionTokens);
    QFETCH(qint64, cost);

    Price price;
    price.input = input;
    price.cachedInput = cachedInput;
    price.output = output;
    QCOMPARE(PriceTable::costMicros(price, promptTokens, cachedTokens, completionTokens), cost);
}

QTEST_GUILESS_MAIN(tst_PriceTable)
#include "tst_PriceTable.moc"
