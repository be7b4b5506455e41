#include "accounting/TokenEstimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

namespace {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test JSON does not parse: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return document.object();
}

} // namespace

// The token estimate's rules, and that it stays at or above real tokenizer counts.
class tst_TokenEstimator : public QObject
{
    Q_OBJECT

private slots:
    void estimateText_data();
    void estimateText();
    void atLeastTheRealCount_data();
    void atLeastTheRealCount();
    void everyWordCountsAtLeastOnce();
    void openAiRequest_data();
    void openAiRequest();
    void openAiToolsAndSchemas();
    void openAiCookbookExample();
    void anthropicRequest_data();
    void anthropicRequest();
    void anthropicTools();
};

void tst_TokenEstimator::estimateText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("tokens");

    QTest::newRow("empty") << QString() << qint64(0);
    QTest::newRow("one letter") << "a" << qint64(1);
    QTest::newRow("three letters") << "abc" << qint64(1);
    QTest::newRow("four letters") << "abcd" << qint64(2);
    QTest::newRow("english") << "Hello, world!" << qint64(6);
    QTest::newRow("chinese") << QStringLiteral("你好世界") << qint64(4);
    QTest::newRow("hiragana") << QStringLiteral("こんにちは") << qint64(5);
    QTest::newRow("katakana") << QStringLiteral("カタカナ") << qint64(4);
    QTest::newRow("hangul") << QStringLiteral("안녕하세요") << qint64(5);
    QTest::newRow("cyrillic") << QStringLiteral("Привет") << qint64(6);
    QTest::newRow("accent inside a word") << QStringLiteral("naïve") << qint64(3);
    QTest::newRow("mixed scripts") << QStringLiteral("hello 你好") << qint64(4);
    QTest::newRow("mixed with a number") << QStringLiteral("Use GPT-4o 你好!") << qint64(8);
    QTest::newRow("digits") << "12345" << qint64(3);
    QTest::newRow("space before a number") << "2 + 2 = 4" << qint64(7);
    QTest::newRow("number in a sentence") << "price: 3 USD" << qint64(6);
    QTest::newRow("superscript") << QStringLiteral("e=mc²") << qint64(4);
    QTest::newRow("emoji") << QStringLiteral("👍") << qint64(2);
    QTest::newRow("two emoji") << QStringLiteral("👍👍") << qint64(4);
    QTest::newRow("joined emoji") << QStringLiteral("👨‍👩‍👧") << qint64(8);
    QTest::newRow("emoji in the BMP") << QStringLiteral("❤") << qint64(2);
    QTest::newRow("copyright sign") << QStringLiteral("©") << qint64(2);
    QTest::newRow("rare han outside the BMP") << QStringLiteral("𠀀") << qint64(2);
    QTest::newRow("blanks only") << "   " << qint64(1);
    QTest::newRow("line break") << "a\nb" << qint64(3);
    QTest::newRow("windows line break") << "a\r\nb" << qint64(3);
    QTest::newRow("indented code") << "    return x;" << qint64(5);
    QTest::newRow("punctuation each") << "?!..." << qint64(5);
}

void tst_TokenEstimator::estimateText()
{
    QFETCH(QString, text);
    QFETCH(qint64, tokens);
    QCOMPARE(TokenEstimator::estimateText(text), tokens);
}

void tst_TokenEstimator::atLeastTheRealCount_data()
{
    // Counts from OpenAI's cl100k_base tokenizer (GPT-4, GPT-3.5); most appear in OpenAI's own
    // token-counting guide.
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("reference");

    QTest::newRow("greeting") << "Hello, world!" << qint64(4);
    QTest::newRow("tiktoken") << "tiktoken is great!" << qint64(6);
    QTest::newRow("long word") << "antidisestablishmentarianism" << qint64(6);
    QTest::newRow("arithmetic") << "2 + 2 = 4" << qint64(7);
    QTest::newRow("japanese") << QStringLiteral("お誕生日おめでとう") << qint64(9);
    QTest::newRow("pangram") << "The quick brown fox jumps over the lazy dog." << qint64(10);
}

void tst_TokenEstimator::atLeastTheRealCount()
{
    QFETCH(QString, text);
    QFETCH(qint64, reference);

    const qint64 estimate = TokenEstimator::estimateText(text);
    QVERIFY2(estimate >= reference, qPrintable(QStringLiteral("estimate %1 < %2").arg(estimate).arg(reference)));
    // Conservative, not absurd: a reservation far too high would refuse requests that fit.
    QVERIFY2(estimate <= 2 * reference, qPrintable(QStringLiteral("estimate %1 > 2 x %2").arg(estimate).arg(reference)));
}

void tst_TokenEstimator::everyWordCountsAtLeastOnce()
{
    const QStringList samples = {
        QStringLiteral("a b c d e f g"),
        QStringLiteral("I am, a; b. c"),
        QStringLiteral("1 2 3 4 5"),
        QStringLiteral("x\ty\nz  w"),
        QStringLiteral("你 好 世 界"),
    };
    for (const QString &sample : samples) {
        const qsizetype words = sample.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts).size();
        QVERIFY2(TokenEstimator::estimateText(sample) >= words, qPrintable(sample));
    }
}

void tst_TokenEstimator::openAiRequest_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("tokens");

    // "Hello" is 2, "Be brief." 4, "Hi" 1; each message adds 4, each request 3.
    QTest::newRow("empty body") << QByteArray("{}") << qint64(3);
    QTest::newRow("one message") << QByteArray(R"({"messages": [{"role": "user", "content": "Hello"}]})")
                                 << qint64(3 + 4 + 2);
    QTest::newRow("system and user") << QByteArray(R"({"messages": [{"role": "system", "content": "Be brief."},
                                                                    {"role": "user", "content": "Hello"}]})")
                                     << qint64(3 + 4 + 4 + 4 + 2);
    QTest::newRow("name") << QByteArray(R"({"messages": [{"role": "user", "name": "bob", "content": "Hi"}]})")
                          << qint64(3 + 4 + 1 + 1 + 1);
    QTest::newRow("text and image parts")
        << QByteArray(R"({"messages": [{"role": "user", "content": [
               {"type": "text", "text": "Hello"},
               {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo", "detail": "high"}}]}]})")
        << qint64(3 + 4 + 2 + TokenEstimator::OpenAiImageTokens);
    QTest::newRow("two images") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                       {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                                       {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}}]}]})")
                                << qint64(3 + 4 + 2 * TokenEstimator::OpenAiImageTokens);
    QTest::newRow("audio part") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                       {"type": "input_audio", "input_audio": {"data": "UklGRg", "format": "wav"}}]}]})")
                                << qint64(3 + 4 + TokenEstimator::OtherMediaTokens);
    QTest::newRow("null content") << QByteArray(R"({"messages": [{"role": "assistant", "content": null}]})")
                                  << qint64(3 + 4);
    QTest::newRow("legacy prompt") << QByteArray(R"({"prompt": "Hello"})") << qint64(3 + 2);
    QTest::newRow("embeddings strings") << QByteArray(R"({"input": ["Hello", "Hello"]})") << qint64(3 + 2 + 2);
    QTest::newRow("embeddings token ids") << QByteArray(R"({"input": [[1, 2, 3], [4]]})") << qint64(3 + 4);
    QTest::newRow("responses string") << QByteArray(R"({"instructions": "Be brief.", "input": "Hello"})")
                                      << qint64(3 + 4 + 2);
    QTest::newRow("responses items")
        << QByteArray(R"({"input": [{"role": "user", "content": [
               {"type": "input_text", "text": "Hello"},
               {"type": "input_image", "image_url": "https://example.com/a.png"}]}]})")
        << qint64(3 + 4 + 2 + TokenEstimator::OpenAiImageTokens);
    QTest::newRow("responses function output")
        << QByteArray(R"({"input": [{"type": "function_call_output", "call_id": "c1", "output": "Hello"}]})")
        << qint64(3 + 4 + 2);
}

void tst_TokenEstimator::openAiRequest()
{
    QFETCH(QByteArray, body);
    QFETCH(qint64, tokens);
    QCOMPARE(TokenEstimator::estimateOpenAiRequest(parseObject(body)), tokens);
}

void tst_TokenEstimator::openAiToolsAndSchemas()
{
    QJsonObject body = parseObject(R"({"messages": [{"role": "user", "content": "Weather in Paris?"}]})");
    const qint64 bare = TokenEstimator::estimateOpenAiRequest(body);

    const QJsonArray tools = QJsonDocument::fromJson(R"([{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])")
                                 .array();
    body.insert(QStringLiteral("tools"), tools);
    const qint64 withTools = TokenEstimator::estimateOpenAiRequest(body);
    QCOMPARE(withTools - bare, TokenEstimator::estimateJson(tools));
    QVERIFY(withTools - bare > 30);

    const QJsonObject schema = parseObject(R"({"name": "answer", "schema": {"type": "object"}})");
    body.insert(QStringLiteral("response_format"),
                QJsonObject{{QStringLiteral("type"), QStringLiteral("json_schema")}, {QStringLiteral("json_schema"), schema}});
    QCOMPARE(TokenEstimator::estimateOpenAiRequest(body) - withTools, TokenEstimator::estimateJson(schema));

    // An assistant turn that called a tool, and the tool's answer.
    const QJsonObject toolTurn = parseObject(R"({"messages": [
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny"}]})");
    const QJsonValue calls = toolTurn.value(QStringLiteral("messages")).toArray().at(0).toObject().value(QStringLiteral("tool_calls"));
    QCOMPARE(TokenEstimator::estimateOpenAiRequest(toolTurn),
             3 + 4 + TokenEstimator::estimateJson(calls) + 4 + TokenEstimator::estimateText(u"call_1") + 2);
}

void tst_TokenEstimator::openAiCookbookExample()
{
    // The chat example of OpenAI's token-counting guide: 129 prompt tokens on gpt-3.5-turbo and gpt-4.
    const QJsonObject body = parseObject(R"({"messages": [
        {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
        {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
        {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
        {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
        {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
        {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}]})");
    const qint64 estimate = TokenEstimator::estimateOpenAiRequest(body);
    QVERIFY2(estimate >= 129, qPrintable(QString::number(estimate)));
    QVERIFY2(estimate <= 2 * 129, qPrintable(QString::number(estimate)));
}

void tst_TokenEstimator::anthropicRequest_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("tokens");

    // "Hello" is 2, "Be brief." 4, "Hi" 1, "Sunny" 2, "get_weather" 5, {"city":"Paris"} 11.
    QTest::newRow("empty body") << QByteArray("{}") << qint64(3);
    QTest::newRow("system string") << QByteArray(R"({"system": "Be brief.", "messages": [{"role": "user", "content": "Hello"}]})")
                                   << qint64(3 + 4 + 4 + 4 + 2);
    QTest::newRow("system blocks") << QByteArray(R"({"system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
                                                    "messages": [{"role": "user", "content": "Hello"}]})")
                                   << qint64(3 + 4 + 4 + 4 + 2);
    QTest::newRow("two system blocks") << QByteArray(R"({"system": [{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Hello"}]})")
                                       << qint64(3 + 4 + 4 + 2);
    QTest::newRow("tool_use") << QByteArray(R"({"messages": [{"role": "assistant", "content": [
                                     {"type": "text", "text": "Hi"},
                                     {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]}]})")
                              << qint64(3 + 4 + 1 + 5 + 11);
    QTest::newRow("tool_result string") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                               {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Sunny"}]}]})")
                                        << qint64(3 + 4 + 2);
    QTest::newRow("tool_result blocks") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                               {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                                                   {"type": "text", "text": "Sunny"},
                                                   {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]}]}]})")
                                        << qint64(3 + 4 + 2 + TokenEstimator::AnthropicImageTokens);
    QTest::newRow("image and text") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                           {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                                           {"type": "text", "text": "Hello"}]}]})")
                                    << qint64(3 + 4 + TokenEstimator::AnthropicImageTokens + 2);
    QTest::newRow("plain text document") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Hello"}}]}]})")
                                         << qint64(3 + 4 + 2);
    QTest::newRow("pdf document") << QByteArray(R"({"messages": [{"role": "user", "content": [
                                         {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0"}}]}]})")
                                  << qint64(3 + 4 + TokenEstimator::AnthropicDocumentTokens);
    QTest::newRow("thinking") << QByteArray(R"({"messages": [{"role": "assistant", "content": [
                                     {"type": "thinking", "thinking": "Hello", "signature": "EqQBCgIYAhIM"}]}]})")
                              << qint64(3 + 4 + 2);
    QTest::newRow("conversation") << QByteArray(R"({"messages": [{"role": "user", "content": "Hello"},
                                                                {"role": "assistant", "content": "Hi"},
                                                                {"role": "user", "content": "Hello"}]})")
                                  << qint64(3 + 4 + 2 + 4 + 1 + 4 + 2);
    QTest::newRow("empty tools add nothing") << QByteArray(R"({"tools": [], "messages": [{"role": "user", "content": "Hi"}]})")
                                             << qint64(3 + 4 + 1);
}

void tst_TokenEstimator::anthropicRequest()
{
    QFETCH(QByteArray, body);
    QFETCH(qint64, tokens);
    QCOMPARE(TokenEstimator::estimateAnthropicRequest(parseObject(body)), tokens);
}

void tst_TokenEstimator::anthropicTools()
{
    QJsonObject body = parseObject(R"({"messages": [{"role": "user", "content": "Weather in Paris?"}]})");
    const qint64 bare = TokenEstimator::estimateAnthropicRequest(body);
    const QJsonArray tools = QJsonDocument::fromJson(R"([{"name": "get_weather", "description": "Current weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}])")
                                 .array();
    body.insert(QStringLiteral("tools"), tools);
    QCOMPARE(TokenEstimator::estimateAnthropicRequest(body) - bare,
             TokenEstimator::AnthropicToolPromptTokens + TokenEstimator::estimateJson(tools));
}

QTEST_GUILESS_MAIN(tst_TokenEstimator)
#include "tst_TokenEstimator.moc"
