#include "SimulatorTestClient.h"
#include "simulator/SimulatorServer.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>

namespace {
using Reply = SimulatorTestClient::Reply;
using SseEvent = SimulatorTestClient::Event;

QList<SseEvent> parseSse(const QByteArray &body, bool *clean)
{
    return SimulatorTestClient::events(body, clean);
}

QJsonObject json(const QByteArray &bytes, bool *ok = nullptr)
{
    return SimulatorTestClient::json(bytes, ok);
}

const char *kUserText = "Say hello to the simulator, please!"; // 8 tokens by the simulator's rule
const char *kSystemText = "Be brief.";                        // 3 tokens
// 3 per prompt + 4 per message + the text.
constexpr int kOpenAiPromptTokens = 3 + 4 + 8;
constexpr int kAnthropicPromptTokens = 3 + 4 + 8 + 4 + 3;

QByteArray openAiBody(bool stream, bool includeUsage = false, int maxTokens = -1, const QString &model = "tokenfuse-sim-mini",
                      const QString &text = kUserText)
{
    QJsonObject o{{"model", model}, {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", text}}}}};
    if (stream)
        o["stream"] = true;
    if (includeUsage)
        o["stream_options"] = QJsonObject{{"include_usage", true}};
    if (maxTokens >= 0)
        o["max_tokens"] = maxTokens;
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray anthropicBody(bool stream, int maxTokens = 1024, const QString &model = "tokenfuse-sim-mini", const QString &text = kUserText)
{
    QJsonObject o{{"model", model}, {"system", kSystemText},
                  {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", text}}}}}}}};
    if (stream)
        o["stream"] = true;
    if (maxTokens >= 0)
        o["max_tokens"] = maxTokens;
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int wordCount(const QString &text)
{
    return text.isEmpty() ? 0 : int(text.split(QLatin1Char(' ')).size());
}

HttpHeaders headersOf(std::initializer_list<std::pair<QByteArray, QByteArray>> fields)
{
    return SimulatorTestClient::headers(fields);
}
} // namespace

class tst_SimulatorServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void openAiWire_data();
    void openAiWire();
    void anthropicWire_data();
    void anthropicWire();
    void streamMatchesWholeAnswer_data();
    void streamMatchesWholeAnswer();
    void deterministic();
    void countTokensMatchesUsage();
    void modelsAndHealth();
    void badRequests_data();
    void badRequests();
    void unknownPathAndMethod_data();
    void unknownPathAndMethod();
    void httpLayerErrorsInDialect();
    void rawWireFraming();
    void headersOverrideProfile();
    void badSimulatorHeader();
    void statusFault_data();
    void statusFault();
    void statusFaultFromProfile();
    void hang();
    void disconnect_data();
    void disconnect();
    void disconnectWholeAnswer();
    void malformed_data();
    void malformed();
    void noUsage_data();
    void noUsage();
    void clientAbortIsCounted();
    void ttftAndPace();
    void wholeAnswerTakesGenerationTime();
    void concurrentStreams();
    void manyWholeAnswers();

private:
    std::shared_ptr<Reply> start(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {},
                                 const QByteArray &method = "POST", UpstreamCall **callOut = nullptr);
    Reply request(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {},
                  const QByteArray &method = "POST", int timeoutMs = 10'000);
    void checkOpenAiError(const Reply &r, int status, const QByteArray &type);
    void checkAnthropicError(const Reply &r, int status, const QByteArray &type);

    std::unique_ptr<SimulatorServer> m_sim;
    std::unique_ptr<SimulatorTestClient> m_client;
};

void tst_SimulatorServer::init()
{
    QString error;
    m_sim = SimulatorTestClient::startSimulator(&error);
    QVERIFY2(m_sim, qPrintable(error));
    m_client = std::make_unique<SimulatorTestClient>(m_sim->port());
}

void tst_SimulatorServer::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

std::shared_ptr<Reply> tst_SimulatorServer::start(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers,
                                                  const QByteArray &method, UpstreamCall **callOut)
{
    return m_client->start(path, body, headers, method, callOut);
}

Reply tst_SimulatorServer::request(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers,
                                   const QByteArray &method, int timeoutMs)
{
    // A timeout shows as a reply that is neither finished nor failed; the caller checks.
    return m_client->request(path, body, headers, method, timeoutMs);
}

void tst_SimulatorServer::checkOpenAiError(const Reply &r, int status, const QByteArray &type)
{
    QVERIFY(r.finished);
    QCOMPARE(r.status, status);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    bool ok = false;
    const QJsonObject o = json(r.body, &ok);
    QVERIFY2(ok, r.body.constData());
    QCOMPARE(o.keys(), QStringList{"error"});
    const QJsonObject e = o.value("error").toObject();
    QCOMPARE(e.keys(), (QStringList{"code", "message", "param", "type"}));
    QVERIFY(e.value("message").isString() && !e.value("message").toString().isEmpty());
    QCOMPARE(e.value("type").toString(), QString::fromLatin1(type));
    QVERIFY(e.value("param").isNull() || e.value("param").isString());
    QVERIFY(e.value("code").isNull() || e.value("code").isString());
}

void tst_SimulatorServer::checkAnthropicError(const Reply &r, int status, const QByteArray &type)
{
    QVERIFY(r.finished);
    QCOMPARE(r.status, status);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    bool ok = false;
    const QJsonObject o = json(r.body, &ok);
    QVERIFY2(ok, r.body.constData());
    QCOMPARE(o.keys(), (QStringList{"error", "type"}));
    QCOMPARE(o.value("type").toString(), QString("error"));
    const QJsonObject e = o.value("error").toObject();
    QCOMPARE(e.keys(), (QStringList{"message", "type"}));
    QCOMPARE(e.value("type").toString(), QString::fromLatin1(type));
    QVERIFY(!e.value("message").toString().isEmpty());
}

// ---- Wire formats -----------------------------------------------------------------------------

void tst_SimulatorServer::openAiWire_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("includeUsage");
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("expectedTokens");

    QTest::newRow("whole") << false << false << -1 << 12 << 12;
    QTest::newRow("whole, max_tokens caps") << false << false << 5 << 12 << 5;
    QTest::newRow("whole, max_tokens above length") << false << false << 50 << 12 << 12;
    QTest::newRow("whole, empty answer") << false << false << -1 << 0 << 0;
    QTest::newRow("stream") << true << false << -1 << 12 << 12;
    QTest::newRow("stream, include_usage") << true << true << -1 << 12 << 12;
    QTest::newRow("stream, include_usage, capped") << true << true << 4 << 12 << 4;
    QTest::newRow("stream, capped, no usage asked") << true << false << 1 << 12 << 1;
    QTest::newRow("stream, empty answer") << true << true << -1 << 0 << 0;
    QTest::newRow("stream, long answer") << true << true << -1 << 300 << 300;
    QTest::newRow("stream, answer longer than one write") << true << true << -1 << 1500 << 1500;
}

void tst_SimulatorServer::openAiWire()
{
    QFETCH(bool, stream);
    QFETCH(bool, includeUsage);
    QFETCH(int, maxTokens);
    QFETCH(int, length);
    QFETCH(int, expectedTokens);

    const QByteArray finishReason = expectedTokens < length ? "length" : "stop";
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const Reply r = request("/v1/chat/completions", openAiBody(stream, includeUsage, maxTokens, "my-model"),
                            headersOf({{"x-sim-completion-tokens", QByteArray::number(length)}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);

    if (!stream) {
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(r.headers.value("x-request-id").startsWith("req_"));
        bool ok = false;
        const QJsonObject o = json(r.body, &ok);
        QVERIFY2(ok, r.body.constData());
        QVERIFY(o.value("id").toString().startsWith("chatcmpl-"));
        QCOMPARE(o.value("object").toString(), QString("chat.completion"));
        QVERIFY(qAbs(o.value("created").toInteger() - now) < 60);
        QCOMPARE(o.value("model").toString(), QString("my-model"));
        const QJsonArray choices = o.value("choices").toArray();
        QCOMPARE(choices.size(), 1);
        const QJsonObject choice = choices.first().toObject();
        QCOMPARE(choice.value("index").toInt(-1), 0);
        QCOMPARE(choice.value("finish_reason").toString(), QString::fromLatin1(finishReason));
        const QJsonObject message = choice.value("message").toObject();
        QCOMPARE(message.value("role").toString(), QString("assistant"));
        QVERIFY(message.value("content").isString());
        QCOMPARE(wordCount(message.value("content").toString()), expectedTokens);
        const QJsonObject usage = o.value("usage").toObject();
        QCOMPARE(usage.value("prompt_tokens").toInt(-1), kOpenAiPromptTokens);
        QCOMPARE(usage.value("completion_tokens").toInt(-1), expectedTokens);
        QCOMPARE(usage.value("total_tokens").toInt(-1), kOpenAiPromptTokens + expectedTokens);
        QCOMPARE(usage.value("prompt_tokens_details").toObject().value("cached_tokens").toInt(-1), 0);
        return;
    }

    QCOMPARE(r.headers.value("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    bool clean = false;
    const QList<SseEvent> events = parseSse(r.body, &clean);
    QVERIFY2(clean, r.body.constData());
    QVERIFY(events.size() >= 3);
    QCOMPARE(events.last().data, QByteArray("[DONE]"));
    const int chunkCount = int(events.size()) - 1;
    QString id;
    QString content;
    int contentDeltas = 0;
    int finishChunks = 0;
    int usageChunks = 0;
    for (int i = 0; i < chunkCount; ++i) {
        const SseEvent &e = events.at(i);
        QVERIFY(e.name.isEmpty());
        bool ok = false;
        const QJsonObject chunk = json(e.data, &ok);
        QVERIFY2(ok, e.data.constData());
        QCOMPARE(chunk.value("object").toString(), QString("chat.completion.chunk"));
        QCOMPARE(chunk.value("model").toString(), QString("my-model"));
        if (i == 0)
            id = chunk.value("id").toString();
        QCOMPARE(chunk.value("id").toString(), id);
        QVERIFY(id.startsWith("chatcmpl-"));
        QCOMPARE(chunk.contains("usage"), includeUsage);
        const QJsonArray choices = chunk.value("choices").toArray();
        if (choices.isEmpty()) {
            // The usage chunk: only with include_usage, only last before [DONE].
            QVERIFY(includeUsage);
            QCOMPARE(i, chunkCount - 1);
            ++usageChunks;
            const QJsonObject usage = chunk.value("usage").toObject();
            QCOMPARE(usage.value("prompt_tokens").toInt(-1), kOpenAiPromptTokens);
            QCOMPARE(usage.value("completion_tokens").toInt(-1), contentDeltas);
            QCOMPARE(usage.value("total_tokens").toInt(-1), kOpenAiPromptTokens + contentDeltas);
            QCOMPARE(usage.value("prompt_tokens_details").toObject().value("cached_tokens").toInt(-1), 0);
            continue;
        }
        if (includeUsage)
            QVERIFY(chunk.value("usage").isNull());
        QCOMPARE(choices.size(), 1);
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject delta = choice.value("delta").toObject();
        if (i == 0) {
            QCOMPARE(delta.value("role").toString(), QString("assistant"));
            QCOMPARE(delta.value("content").toString(), QString());
            QVERIFY(choice.value("finish_reason").isNull());
            continue;
        }
        QVERIFY(!delta.contains("role"));
        if (!choice.value("finish_reason").isNull()) {
            QCOMPARE(choice.value("finish_reason").toString(), QString::fromLatin1(finishReason));
            QVERIFY(delta.isEmpty());
            ++finishChunks;
            continue;
        }
        QCOMPARE(finishChunks, 0);
        QVERIFY(delta.value("content").isString());
        content += delta.value("content").toString();
        ++contentDeltas;
    }
    QCOMPARE(contentDeltas, expectedTokens);
    QCOMPARE(wordCount(content), expectedTokens);
    QCOMPARE(finishChunks, 1);
    QCOMPARE(usageChunks, includeUsage ? 1 : 0);
    QCOMPARE(chunkCount, 1 + expectedTokens + 1 + usageChunks);
}

void tst_SimulatorServer::anthropicWire_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("maxTokens");
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("expectedTokens");

    QTest::newRow("whole") << false << 1024 << 12 << 12;
    QTest::newRow("whole, max_tokens caps") << false << 3 << 12 << 3;
    QTest::newRow("whole, empty answer") << false << 1024 << 0 << 0;
    QTest::newRow("stream") << true << 1024 << 12 << 12;
    QTest::newRow("stream, max_tokens caps") << true << 7 << 12 << 7;
    QTest::newRow("stream, max_tokens equals length") << true << 12 << 12 << 12;
    QTest::newRow("stream, empty answer") << true << 1024 << 0 << 0;
    QTest::newRow("stream, long answer") << true << 4096 << 300 << 300;
    QTest::newRow("stream, answer longer than one write") << true << 4096 << 1100 << 1100;
}

void tst_SimulatorServer::anthropicWire()
{
    QFETCH(bool, stream);
    QFETCH(int, maxTokens);
    QFETCH(int, length);
    QFETCH(int, expectedTokens);

    const QString stopReason = expectedTokens < length ? "max_tokens" : "end_turn";
    const Reply r = request("/v1/messages", anthropicBody(stream, maxTokens, "claude-like"),
                            headersOf({{"x-sim-completion-tokens", QByteArray::number(length)}, {"anthropic-version", "2023-06-01"}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);

    if (!stream) {
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(r.headers.value("request-id").startsWith("req_"));
        bool ok = false;
        const QJsonObject o = json(r.body, &ok);
        QVERIFY2(ok, r.body.constData());
        QCOMPARE(o.keys(), (QStringList{"content", "id", "model", "role", "stop_reason", "stop_sequence", "type", "usage"}));
        QVERIFY(o.value("id").toString().startsWith("msg_"));
        QCOMPARE(o.value("type").toString(), QString("message"));
        QCOMPARE(o.value("role").toString(), QString("assistant"));
        QCOMPARE(o.value("model").toString(), QString("claude-like"));
        QCOMPARE(o.value("stop_reason").toString(), stopReason);
        QVERIFY(o.value("stop_sequence").isNull());
        const QJsonArray content = o.value("content").toArray();
        QCOMPARE(content.size(), 1);
        QCOMPARE(content.first().toObject().value("type").toString(), QString("text"));
        QCOMPARE(wordCount(content.first().toObject().value("text").toString()), expectedTokens);
        const QJsonObject usage = o.value("usage").toObject();
        QCOMPARE(usage.value("input_tokens").toInt(-1), kAnthropicPromptTokens);
        QCOMPARE(usage.value("output_tokens").toInt(-1), expectedTokens);
        QCOMPARE(usage.value("cache_read_input_tokens").toInt(-1), 0);
        QCOMPARE(usage.value("cache_creation_input_tokens").toInt(-1), 0);
        return;
    }

    QCOMPARE(r.headers.value("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    bool clean = false;
    const QList<SseEvent> events = parseSse(r.body, &clean);
    QVERIFY2(clean, r.body.constData());
    QStringList names;
    QString text;
    int deltas = 0;
    for (const SseEvent &e : events) {
        bool ok = false;
        const QJsonObject o = json(e.data, &ok);
        QVERIFY2(ok, e.data.constData());
        // The event line and the data's type always agree.
        QCOMPARE(o.value("type").toString(), QString::fromLatin1(e.name));
        names.append(QString::fromLatin1(e.name));
        if (e.name == "message_start") {
            const QJsonObject m = o.value("message").toObject();
            QVERIFY(m.value("id").toString().startsWith("msg_"));
            QCOMPARE(m.value("type").toString(), QString("message"));
            QCOMPARE(m.value("role").toString(), QString("assistant"));
            QCOMPARE(m.value("model").toString(), QString("claude-like"));
            QCOMPARE(m.value("content").toArray().size(), 0);
            QVERIFY(m.value("stop_reason").isNull());
            QCOMPARE(m.value("usage").toObject().value("input_tokens").toInt(-1), kAnthropicPromptTokens);
            QCOMPARE(m.value("usage").toObject().value("output_tokens").toInt(-1), 1);
        } else if (e.name == "content_block_start") {
            QCOMPARE(o.value("index").toInt(-1), 0);
            QCOMPARE(o.value("content_block").toObject().value("type").toString(), QString("text"));
        } else if (e.name == "content_block_delta") {
            QCOMPARE(o.value("index").toInt(-1), 0);
            const QJsonObject d = o.value("delta").toObject();
            QCOMPARE(d.value("type").toString(), QString("text_delta"));
            text += d.value("text").toString();
            ++deltas;
        } else if (e.name == "message_delta") {
            QCOMPARE(o.value("delta").toObject().value("stop_reason").toString(), stopReason);
            QVERIFY(o.value("delta").toObject().value("stop_sequence").isNull());
            // Cumulative: the whole answer.
            QCOMPARE(o.value("usage").toObject().value("output_tokens").toInt(-1), deltas);
        }
    }
    QCOMPARE(deltas, expectedTokens);
    QCOMPARE(wordCount(text), expectedTokens);
    QStringList expected{"message_start", "content_block_start", "ping"};
    for (int i = 0; i < expectedTokens; ++i)
        expected.append("content_block_delta");
    expected << "content_block_stop" << "message_delta" << "message_stop";
    QCOMPARE(names, expected);
}

void tst_SimulatorServer::streamMatchesWholeAnswer_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("openai") << false;
    QTest::newRow("anthropic") << true;
}

void tst_SimulatorServer::streamMatchesWholeAnswer()
{
    QFETCH(bool, anthropic);
    const QByteArray path = anthropic ? "/v1/messages" : "/v1/chat/completions";
    const Reply whole = request(path, anthropic ? anthropicBody(false) : openAiBody(false));
    const Reply stream = request(path, anthropic ? anthropicBody(true) : openAiBody(true));
    QVERIFY(whole.finished && stream.finished);
    const QJsonObject o = json(whole.body);
    const QString wholeText = anthropic ? o.value("content").toArray().first().toObject().value("text").toString()
                                        : o.value("choices").toArray().first().toObject().value("message").toObject().value("content").toString();
    bool clean = false;
    QString streamed;
    for (const SseEvent &e : parseSse(stream.body, &clean)) {
        const QJsonObject c = json(e.data);
        streamed += anthropic ? c.value("delta").toObject().value("text").toString()
                              : c.value("choices").toArray().first().toObject().value("delta").toObject().value("content").toString();
    }
    QVERIFY(!wholeText.isEmpty());
    QCOMPARE(streamed, wholeText);
}

void tst_SimulatorServer::deterministic()
{
    auto contentOf = [this](const QByteArray &body) {
        const Reply r = request("/v1/chat/completions", body);
        return json(r.body).value("choices").toArray().first().toObject().value("message").toObject().value("content").toString();
    };
    const QString a = contentOf(openAiBody(false));
    QVERIFY(!a.isEmpty());
    QCOMPARE(contentOf(openAiBody(false)), a);
    // Formatting of the client's JSON does not matter, only its content.
    QJsonDocument pretty = QJsonDocument::fromJson(openAiBody(false));
    QCOMPARE(contentOf(pretty.toJson(QJsonDocument::Indented)), a);
    QVERIFY(contentOf(openAiBody(false, false, -1, "other-model")) != a);
    QVERIFY(contentOf(openAiBody(false, false, -1, "tokenfuse-sim-mini", "Something else")) != a);
    // A capped answer is the same answer cut short.
    const QString capped = contentOf(openAiBody(false, false, 4));
    QVERIFY(a.startsWith(capped));
    QCOMPARE(wordCount(capped), 4);
    QVERIFY(a.endsWith('.'));
}

void tst_SimulatorServer::countTokensMatchesUsage()
{
    QJsonObject body = json(anthropicBody(false));
    body.remove("max_tokens"); // not needed for counting
    const Reply counted = request("/v1/messages/count_tokens", QJsonDocument(body).toJson());
    QCOMPARE(counted.status, 200);
    QCOMPARE(json(counted.body).keys(), QStringList{"input_tokens"});
    QCOMPARE(json(counted.body).value("input_tokens").toInt(-1), kAnthropicPromptTokens);

    // The same rule for any text: CJK characters count one each.
    const Reply cjk = request("/v1/chat/completions", openAiBody(false, false, -1, "m", QString::fromUtf8("你好, world")));
    QCOMPARE(json(cjk.body).value("usage").toObject().value("prompt_tokens").toInt(-1), 3 + 4 + 4);

    const Reply bad = request("/v1/messages/count_tokens", R"({"model":"m"})");
    checkAnthropicError(bad, 400, "invalid_request_error");
}

void tst_SimulatorServer::modelsAndHealth()
{
    const Reply list = request("/v1/models", {}, {}, "GET");
    QCOMPARE(list.status, 200);
    QJsonObject o = json(list.body);
    QCOMPARE(o.value("object").toString(), QString("list"));
    QJsonArray data = o.value("data").toArray();
    QVERIFY(data.size() >= 2);
    for (const QJsonValue &m : data) {
        QVERIFY(m.toObject().value("id").toString().startsWith("tokenfuse-sim-"));
        QCOMPARE(m.toObject().value("object").toString(), QString("model"));
        QCOMPARE(m.toObject().value("owned_by").toString(), QString("tokenfuse"));
    }

    const Reply anthropicList = request("/v1/models", {}, headersOf({{"anthropic-version", "2023-06-01"}}), "GET");
    o = json(anthropicList.body);
    QCOMPARE(o.value("has_more").toBool(true), false);
    data = o.value("data").toArray();
    QCOMPARE(data.first().toObject().value("type").toString(), QString("model"));
    QCOMPARE(o.value("first_id").toString(), data.first().toObject().value("id").toString());

    const Reply one = request("/v1/models/any-model-at-all", {}, {}, "GET");
    QCOMPARE(one.status, 200);
    QCOMPARE(json(one.body).value("id").toString(), QString("any-model-at-all"));

    const Reply health = request("/healthz", {}, {}, "GET");
    QCOMPARE(health.status, 200);
    QCOMPARE(json(health.body).value("status").toString(), QString("ok"));
    // HEAD: the status, no body, and the kept-alive connection still in step for the next request.
    const Reply head = request("/healthz", {}, {}, "HEAD");
    QVERIFY(head.finished);
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
    QCOMPARE(request("/healthz", {}, {}, "GET").status, 200);
    QCOMPARE(m_sim->requestsServed(), quint64(6));
}

// ---- Errors -----------------------------------------------------------------------------------

void tst_SimulatorServer::badRequests_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<QByteArray>("param");

    QTest::newRow("openai: malformed json") << false << QByteArray("{\"model\": ") << "parse the JSON" << QByteArray();
    QTest::newRow("openai: not an object") << false << QByteArray("[1,2]") << "JSON object" << QByteArray();
    QTest::newRow("openai: empty body") << false << QByteArray() << "parse the JSON" << QByteArray();
    QTest::newRow("openai: missing model") << false << QByteArray(R"({"messages":[{"role":"user","content":"hi"}]})") << "model" << QByteArray();
    QTest::newRow("openai: model not a string") << false << QByteArray(R"({"model":5,"messages":[{"role":"user","content":"hi"}]})") << "model" << QByteArray("model");
    QTest::newRow("openai: missing messages") << false << QByteArray(R"({"model":"m"})") << "messages" << QByteArray("messages");
    QTest::newRow("openai: empty messages") << false << QByteArray(R"({"model":"m","messages":[]})") << "empty array" << QByteArray("messages");
    QTest::newRow("openai: message without role") << false << QByteArray(R"({"model":"m","messages":[{"content":"x"}]})") << "role" << QByteArray("messages[0]");
    QTest::newRow("openai: max_tokens zero") << false << QByteArray(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})") << "max_tokens" << QByteArray("max_tokens");
    QTest::newRow("openai: max_tokens text") << false << QByteArray(R"({"model":"m","max_tokens":"9","messages":[{"role":"user","content":"hi"}]})") << "max_tokens" << QByteArray("max_tokens");
    QTest::newRow("openai: stream not boolean") << false << QByteArray(R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"hi"}]})") << "stream" << QByteArray("stream");
    QTest::newRow("openai: stream_options without stream") << false << QByteArray(R"({"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})") << "stream_options" << QByteArray("stream_options");
    QTest::newRow("anthropic: malformed json") << true << QByteArray("{nope") << "not valid JSON" << QByteArray();
    QTest::newRow("anthropic: missing max_tokens") << true << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})") << "max_tokens: Field required" << QByteArray();
    QTest::newRow("anthropic: missing model") << true << QByteArray(R"({"max_tokens":5,"messages":[{"role":"user","content":"hi"}]})") << "model: Field required" << QByteArray();
    QTest::newRow("anthropic: missing messages") << true << QByteArray(R"({"model":"m","max_tokens":5})") << "messages: Field required" << QByteArray();
    QTest::newRow("anthropic: max_tokens negative") << true << QByteArray(R"({"model":"m","max_tokens":-1,"messages":[{"role":"user","content":"hi"}]})") << "max_tokens" << QByteArray();
    QTest::newRow("anthropic: system a number") << true << QByteArray(R"({"model":"m","max_tokens":5,"system":3,"messages":[{"role":"user","content":"hi"}]})") << "system" << QByteArray();
}

void tst_SimulatorServer::badRequests()
{
    QFETCH(bool, anthropic);
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    QFETCH(QByteArray, param);

    const Reply r = request(anthropic ? "/v1/messages" : "/v1/chat/completions", body);
    if (anthropic) {
        checkAnthropicError(r, 400, "invalid_request_error");
    } else {
        checkOpenAiError(r, 400, "invalid_request_error");
        const QJsonValue p = json(r.body).value("error").toObject().value("param");
        if (param.isEmpty())
            QVERIFY(p.isNull());
        else
            QCOMPARE(p.toString(), QString::fromLatin1(param));
    }
    if (QTest::currentTestFailed())
        return;
    const QString message = json(r.body).value("error").toObject().value("message").toString();
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QCOMPARE(m_sim->exchangesPending(), 0);
}

void tst_SimulatorServer::unknownPathAndMethod_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<QByteArray>("type");

    QTest::newRow("openai unknown path") << QByteArray("POST") << QByteArray("/v1/nothing/here") << 404 << false << QByteArray("invalid_request_error");
    QTest::newRow("root") << QByteArray("GET") << QByteArray("/") << 404 << false << QByteArray("invalid_request_error");
    QTest::newRow("anthropic unknown path") << QByteArray("POST") << QByteArray("/v1/messages/batches") << 404 << true << QByteArray("not_found_error");
    QTest::newRow("openai wrong method") << QByteArray("GET") << QByteArray("/v1/chat/completions") << 405 << false << QByteArray("invalid_request_error");
    QTest::newRow("anthropic wrong method") << QByteArray("GET") << QByteArray("/v1/messages") << 405 << true << QByteArray("invalid_request_error");
    QTest::newRow("models wrong method") << QByteArray("POST") << QByteArray("/v1/models") << 405 << false << QByteArray("invalid_request_error");
}

void tst_SimulatorServer::unknownPathAndMethod()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(bool, anthropic);
    QFETCH(QByteArray, type);

    const Reply r = request(path, method == "POST" ? QByteArray("{}") : QByteArray(), {}, method);
    if (anthropic)
        checkAnthropicError(r, status, type);
    else
        checkOpenAiError(r, status, type);
    if (status == 405)
        QVERIFY(!r.headers.value("allow").isEmpty());
}

void tst_SimulatorServer::httpLayerErrorsInDialect()
{
    // Errors the HTTP layer answers by itself take the dialect of the path too.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0 && socket.peek(4096).contains("}}"), 5000);
    const QByteArray raw = socket.readAll();
    QVERIFY2(raw.startsWith("HTTP/1.1 400"), raw.constData());
    const QJsonObject o = json(raw.mid(raw.indexOf("\r\n\r\n") + 4));
    QCOMPARE(o.value("type").toString(), QString("error"));
    QCOMPARE(o.value("error").toObject().value("type").toString(), QString("invalid_request_error"));
}

void tst_SimulatorServer::rawWireFraming()
{
    // What really goes over the socket for a stream: chunked transfer coding, SSE inside.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_sim->port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray body = openAiBody(true, true);
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray raw;
    QTRY_VERIFY_WITH_TIMEOUT((raw += socket.readAll()).endsWith("0\r\n\r\n"), 5000);
    QVERIFY2(raw.startsWith("HTTP/1.1 200 OK\r\n"), raw.constData());
    const QByteArray head = raw.left(raw.indexOf("\r\n\r\n")).toLower();
    QVERIFY(head.contains("\r\ntransfer-encoding: chunked"));
    QVERIFY(head.contains("\r\ncontent-type: text/event-stream; charset=utf-8"));
    QVERIFY(head.contains("\r\ncache-control: no-cache"));
    QVERIFY(raw.contains("data: [DONE]\n\n\r\n0\r\n\r\n"));
}

void tst_SimulatorServer::headersOverrideProfile()
{
    SimulatorProfile p = m_sim->profile();
    p.completionTokens = 5;
    p.faultStatus = 503;
    m_sim->setProfile(p);

    // The server-wide fault applies...
    Reply r = request("/v1/chat/completions", openAiBody(false));
    QCOMPARE(r.status, 503);
    // ...unless the request opts out, and its own length wins too.
    r = request("/v1/chat/completions", openAiBody(false),
                headersOf({{"x-sim-fault", "none"}, {"x-sim-completion-tokens", "9"}}));
    QCOMPARE(r.status, 200);
    QCOMPARE(json(r.body).value("usage").toObject().value("completion_tokens").toInt(-1), 9);
    // The profile itself is untouched by a request's headers.
    QCOMPARE(m_sim->profile().completionTokens, 5);
    QCOMPARE(m_sim->profile().faultStatus, 503);
}

void tst_SimulatorServer::badSimulatorHeader()
{
    Reply r = request("/v1/chat/completions", openAiBody(false), headersOf({{"x-sim-ttft-ms", "soon"}}));
    checkOpenAiError(r, 400, "invalid_request_error");
    QVERIFY(json(r.body).value("error").toObject().value("message").toString().contains("ttft-ms"));
    r = request("/v1/messages", anthropicBody(false), headersOf({{"x-sim-fault", "explode"}}));
    checkAnthropicError(r, 400, "invalid_request_error");
    r = request("/v1/messages", anthropicBody(false), headersOf({{"x-sim-typo", "1"}}));
    checkAnthropicError(r, 400, "invalid_request_error");
}

// ---- Faults -----------------------------------------------------------------------------------

void tst_SimulatorServer::statusFault_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<QByteArray>("type");

    QTest::newRow("openai 429 + retry-after") << false << false << 429 << QByteArray("2") << QByteArray("rate_limit_exceeded");
    QTest::newRow("openai 429, stream asked") << false << true << 429 << QByteArray() << QByteArray("rate_limit_exceeded");
    QTest::newRow("openai 500") << false << false << 500 << QByteArray() << QByteArray("api_error");
    QTest::newRow("openai 503 + retry-after") << false << true << 503 << QByteArray("7") << QByteArray("api_error");
    QTest::newRow("anthropic 429 + retry-after") << true << false << 429 << QByteArray("2") << QByteArray("rate_limit_error");
    QTest::newRow("anthropic 500") << true << true << 500 << QByteArray() << QByteArray("api_error");
    QTest::newRow("anthropic 529") << true << false << 529 << QByteArray() << QByteArray("overloaded_error");
    QTest::newRow("anthropic 401") << true << false << 401 << QByteArray() << QByteArray("authentication_error");
    QTest::newRow("openai 400") << false << false << 400 << QByteArray() << QByteArray("invalid_request_error");
}

void tst_SimulatorServer::statusFault()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);
    QFETCH(int, status);
    QFETCH(QByteArray, retryAfter);
    QFETCH(QByteArray, type);

    HttpHeaders headers = headersOf({{"x-sim-fault", "status:" + QByteArray::number(status)}});
    if (!retryAfter.isEmpty())
        headers.add("x-sim-retry-after", retryAfter);
    const Reply r = request(anthropic ? "/v1/messages" : "/v1/chat/completions",
                            anthropic ? anthropicBody(stream) : openAiBody(stream), headers);
    if (anthropic)
        checkAnthropicError(r, status, type);
    else
        checkOpenAiError(r, status, type);
    QCOMPARE(r.headers.value("retry-after"), retryAfter);
    QCOMPARE(r.headers.contains("retry-after"), !retryAfter.isEmpty());
    if (!anthropic && status == 429)
        QCOMPARE(json(r.body).value("error").toObject().value("code").toString(), QString("rate_limit_exceeded"));
    QCOMPARE(m_sim->streamsOpen(), 0);
}

void tst_SimulatorServer::statusFaultFromProfile()
{
    SimulatorProfile p = m_sim->profile();
    QVERIFY(p.applyOption("--fault", "status:429", nullptr));
    QVERIFY(p.applyOption("--retry-after", "3", nullptr));
    m_sim->setProfile(p);
    const Reply r = request("/v1/messages", anthropicBody(true));
    checkAnthropicError(r, 429, "rate_limit_error");
    QCOMPARE(r.headers.value("retry-after"), QByteArray("3"));
    // Health checks and the model list are never faulted.
    QCOMPARE(request("/healthz", {}, {}, "GET").status, 200);
    QCOMPARE(request("/v1/models", {}, {}, "GET").status, 200);
}

void tst_SimulatorServer::hang()
{
    UpstreamCall *call = nullptr;
    const auto r = start("/v1/chat/completions", openAiBody(true), headersOf({{"x-sim-fault", "hang"}}), "POST", &call);
    QTest::qWait(400);
    QCOMPARE(r->status, 0);
    QVERIFY(!r->done());
    QCOMPARE(m_sim->exchangesPending(), 1);
    QCOMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(m_sim->requestsServed(), quint64(1));
    // The client gives up: the simulator notices and counts it.
    call->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->clientAborts(), quint64(1), 5000);
    QCOMPARE(m_sim->exchangesPending(), 0);
}

void tst_SimulatorServer::disconnect_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<int>("after");

    QTest::newRow("openai after 0") << false << 0;
    QTest::newRow("openai after 3") << false << 3;
    QTest::newRow("openai after all 12") << false << 12;
    QTest::newRow("anthropic after 0") << true << 0;
    QTest::newRow("anthropic after 5") << true << 5;
}

void tst_SimulatorServer::disconnect()
{
    QFETCH(bool, anthropic);
    QFETCH(int, after);

    const Reply r = request(anthropic ? "/v1/messages" : "/v1/chat/completions",
                            anthropic ? anthropicBody(true) : openAiBody(true, true),
                            headersOf({{"x-sim-fault", "disconnect:" + QByteArray::number(after)}, {"x-sim-tokens-per-second", "200"}}));
    QVERIFY(r.failed);
    QCOMPARE(r.failure, UpstreamCall::Failure::ClosedEarly);
    QCOMPARE(r.status, 200);
    bool clean = false;
    const QList<SseEvent> events = parseSse(r.body, &clean);
    QVERIFY2(clean, r.body.constData());
    int deltas = 0;
    for (const SseEvent &e : events) {
        bool ok = false;
        const QJsonObject o = json(e.data, &ok);
        QVERIFY2(ok, e.data.constData()); // no [DONE], nothing broken
        if (anthropic) {
            QVERIFY(e.name != "message_stop" && e.name != "message_delta");
            deltas += e.name == "content_block_delta";
        } else {
            const QJsonArray choices = o.value("choices").toArray();
            QCOMPARE(choices.size(), 1); // no usage chunk
            QVERIFY(choices.first().toObject().value("finish_reason").isNull());
            deltas += choices.first().toObject().value("delta").toObject().contains("content")
                && !choices.first().toObject().value("delta").toObject().contains("role");
        }
    }
    QCOMPARE(deltas, after);
    // The simulator dropped it on purpose: not a client abort, not an open stream.
    QTRY_COMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(m_sim->clientAborts(), quint64(0));
    QCOMPARE(m_sim->responsesCompleted(), quint64(0));
}

void tst_SimulatorServer::disconnectWholeAnswer()
{
    const Reply r = request("/v1/chat/completions", openAiBody(false), headersOf({{"x-sim-fault", "disconnect:2"}}));
    QVERIFY(r.failed);
    QCOMPARE(r.status, 0);
    QCOMPARE(m_sim->exchangesPending(), 0);
}

void tst_SimulatorServer::malformed_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<int>("after");

    QTest::newRow("openai after 0") << false << 0;
    QTest::newRow("openai after 4") << false << 4;
    QTest::newRow("openai after all 12") << false << 12;
    QTest::newRow("anthropic after 2") << true << 2;
}

void tst_SimulatorServer::malformed()
{
    QFETCH(bool, anthropic);
    QFETCH(int, after);

    const Reply r = request(anthropic ? "/v1/messages" : "/v1/chat/completions",
                            anthropic ? anthropicBody(true) : openAiBody(true, true),
                            headersOf({{"x-sim-fault", "malformed:" + QByteArray::number(after)}}));
    QVERIFY(r.finished);
    bool clean = false;
    const QList<SseEvent> events = parseSse(r.body, &clean);
    QVERIFY(clean);
    int deltas = 0;
    int broken = 0;
    int deltasBeforeBroken = -1;
    for (const SseEvent &e : events) {
        if (e.data == "[DONE]")
            continue;
        bool ok = false;
        const QJsonObject o = json(e.data, &ok);
        if (!ok) {
            QCOMPARE(e.data, QByteArray("{not json"));
            ++broken;
            deltasBeforeBroken = deltas;
            continue;
        }
        if (anthropic)
            deltas += e.name == "content_block_delta";
        else
            deltas += o.value("choices").toArray().first().toObject().value("delta").toObject().value("content").toString().size() > 0;
    }
    QCOMPARE(broken, 1);
    QCOMPARE(deltasBeforeBroken, after);
    QCOMPARE(deltas, 12);
    // The stream carries on to its proper end.
    QCOMPARE(anthropic ? events.last().name : events.last().data, anthropic ? QByteArray("message_stop") : QByteArray("[DONE]"));
    // A whole answer is itself broken.
    const Reply whole = request("/v1/chat/completions", openAiBody(false), headersOf({{"x-sim-fault", "malformed:0"}}));
    QCOMPARE(whole.status, 200);
    bool ok = true;
    json(whole.body, &ok);
    QVERIFY(!ok);
}

void tst_SimulatorServer::noUsage_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai whole") << false << false;
    QTest::newRow("openai stream with include_usage") << false << true;
    QTest::newRow("anthropic whole") << true << false;
    QTest::newRow("anthropic stream") << true << true;
}

void tst_SimulatorServer::noUsage()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);

    const Reply r = request(anthropic ? "/v1/messages" : "/v1/chat/completions",
                            anthropic ? anthropicBody(stream) : openAiBody(stream, stream),
                            headersOf({{"x-sim-fault", "no-usage"}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QVERIFY2(!r.body.contains("usage"), r.body.constData());
    QVERIFY(!r.body.contains("_tokens"));
    if (stream) {
        bool clean = false;
        const QList<SseEvent> events = parseSse(r.body, &clean);
        if (anthropic)
            QCOMPARE(events.last().name, QByteArray("message_stop"));
        else
            QCOMPARE(events.last().data, QByteArray("[DONE]"));
        QVERIFY(!r.body.contains("\"choices\":[]"));
    }
}

// ---- Pace and load ----------------------------------------------------------------------------

void tst_SimulatorServer::clientAbortIsCounted()
{
    UpstreamCall *call = nullptr;
    const auto r = start("/v1/messages", anthropicBody(true),
                         headersOf({{"x-sim-tokens-per-second", "20"}, {"x-sim-completion-tokens", "100"}}), "POST", &call);
    QTRY_VERIFY_WITH_TIMEOUT(r->body.contains("content_block_delta"), 5000);
    QCOMPARE(m_sim->streamsOpen(), 1);
    call->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->clientAborts(), quint64(1), 5000);
    QCOMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(m_sim->exchangesPending(), 0);
    QCOMPARE(m_sim->responsesCompleted(), quint64(0));
    // A stream that finishes normally is not an abort.
    const Reply done = request("/v1/messages", anthropicBody(true));
    QVERIFY(done.finished);
    QTest::qWait(50);
    QCOMPARE(m_sim->clientAborts(), quint64(1));
    QCOMPARE(m_sim->responsesCompleted(), quint64(1));
}

void tst_SimulatorServer::ttftAndPace()
{
    // Loose bounds: the machine may be busy, but nothing may come early.
    const Reply r = request("/v1/chat/completions", openAiBody(true),
                            headersOf({{"x-sim-ttft-ms", "300"}, {"x-sim-tokens-per-second", "50"}, {"x-sim-completion-tokens", "11"}}));
    QVERIFY(r.finished);
    QVERIFY2(r.headMs < 250, qPrintable(QString::number(r.headMs))); // the head goes out at once
    QVERIFY2(r.firstDataMs >= 290 && r.firstDataMs < 3000, qPrintable(QString::number(r.firstDataMs)));
    // Ten more tokens at 50 per second after the first: at least 200 ms.
    QVERIFY2(r.endMs - r.firstDataMs >= 190, qPrintable(QString::number(r.endMs - r.firstDataMs)));
    QVERIFY2(r.endMs < 5000, qPrintable(QString::number(r.endMs)));
}

void tst_SimulatorServer::wholeAnswerTakesGenerationTime()
{
    const Reply r = request("/v1/messages", anthropicBody(false),
                            headersOf({{"x-sim-ttft-ms", "100"}, {"x-sim-tokens-per-second", "100"}, {"x-sim-completion-tokens", "21"}}));
    QVERIFY(r.finished);
    // First token at 100 ms, the last 20 tokens × 10 ms later.
    QVERIFY2(r.headMs >= 290 && r.headMs < 5000, qPrintable(QString::number(r.headMs)));
}

void tst_SimulatorServer::concurrentStreams()
{
    constexpr int kStreams = 500;
    constexpr int kTokens = 20;
    SimulatorProfile p = m_sim->profile();
    p.ttftMs = 50;
    p.tokensPerSecond = 40;
    p.completionTokens = kTokens;
    m_sim->setProfile(p);

    std::vector<std::shared_ptr<Reply>> replies;
    for (int i = 0; i < kStreams; ++i) {
        const bool anthropic = i % 2;
        const QString text = QStringLiteral("stream number %1").arg(i);
        replies.push_back(start(anthropic ? "/v1/messages" : "/v1/chat/completions",
                                anthropic ? anthropicBody(true, 1024, "m", text) : openAiBody(true, true, -1, "m", text)));
    }
    int maxOpen = 0;
    QElapsedTimer clock;
    clock.start();
    const bool allDone = QTest::qWaitFor([&] {
        maxOpen = qMax(maxOpen, m_sim->streamsOpen());
        return std::all_of(replies.begin(), replies.end(), [](const auto &r) { return r->done(); });
    }, 60'000);
    QVERIFY(allDone);
    qInfo("%d streams of %d tokens at 40/s: done in %lld ms, at most %d open at once",
          kStreams, kTokens, clock.elapsed(), maxOpen);
    QVERIFY2(maxOpen >= kStreams * 9 / 10, qPrintable(QString::number(maxOpen)));
    for (int i = 0; i < kStreams; ++i) {
        const Reply &r = *replies[i];
        QVERIFY(r.finished);
        QCOMPARE(r.status, 200);
        const QByteArray marker = i % 2 ? "event: content_block_delta\n" : "\"delta\":{\"content\":";
        QCOMPARE(int(r.body.count(marker)), kTokens);
        QVERIFY(r.body.endsWith(i % 2 ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n" : "data: [DONE]\n\n"));
    }
    QCOMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(m_sim->responsesCompleted(), quint64(kStreams));
    QCOMPARE(m_sim->clientAborts(), quint64(0));
}

void tst_SimulatorServer::manyWholeAnswers()
{
    constexpr int kRequests = 2000;
    constexpr int kParallel = 32;
    int started = 0;
    int done = 0;
    int ok = 0;
    QElapsedTimer clock;
    clock.start();
    std::function<void()> launch = [&] {
        if (started >= kRequests)
            return;
        ++started;
        UpstreamRequest req;
        req.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_sim->port()));
        req.body = openAiBody(false, false, -1, "m", QStringLiteral("question %1").arg(started));
        UpstreamCall *call = m_client->client("/v1/chat/completions")->start(req);
        connect(call, &UpstreamCall::finished, this, [&, call] {
            ok += call->status() == 200;
            ++done;
            call->deleteLater();
            launch();
        });
        connect(call, &UpstreamCall::failed, this, [&, call] {
            ++done;
            call->deleteLater();
            launch();
        });
    };
    for (int i = 0; i < kParallel; ++i)
        launch();
    QVERIFY(QTest::qWaitFor([&] { return done == kRequests; }, 60'000));
    const qint64 ms = qMax<qint64>(1, clock.elapsed());
    qInfo("%d whole answers over %d keep-alive connections: %lld ms, %lld requests/s (client in the same thread)",
          kRequests, kParallel, ms, kRequests * 1000 / ms);
    QCOMPARE(ok, kRequests);
    QCOMPARE(m_sim->requestsServed(), quint64(kRequests));
    QCOMPARE(m_sim->exchangesPending(), 0);
}

QTEST_GUILESS_MAIN(tst_SimulatorServer)
#include "tst_SimulatorServer.moc"
