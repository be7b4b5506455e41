#include "SimulatorTestClient.h"
#include "simulator/SimulatorServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

namespace {
using Reply = SimulatorTestClient::Reply;
using Event = SimulatorTestClient::Event;

const QByteArray kPath = "/v1/responses";
const char *kUserText = "Say hello to the simulator, please!"; // 8 tokens by the simulator's rule
const char *kInstructions = "Be brief.";                      // 3 tokens
constexpr int kPromptTokens = 3 + 4 + 8;                      // per prompt, per item, the text
constexpr int kPromptTokensWithInstructions = kPromptTokens + 4 + 3;

QByteArray body(bool stream, QJsonObject extra = {})
{
    QJsonObject o{{"model", "gpt-5-codex"}, {"input", kUserText}};
    if (stream)
        o["stream"] = true;
    for (auto it = extra.begin(); it != extra.end(); ++it)
        o[it.key()] = it.value();
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int wordCount(const QString &text)
{
    return text.isEmpty() ? 0 : int(text.split(QLatin1Char(' ')).size());
}

void checkUsage(const QJsonObject &usage, int input, int output)
{
    QCOMPARE(usage.keys(), (QStringList{"input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details", "total_tokens"}));
    QCOMPARE(usage.value("input_tokens").toInt(), input);
    QCOMPARE(usage.value("input_tokens_details").toObject(), (QJsonObject{{"cached_tokens", 0}}));
    QCOMPARE(usage.value("output_tokens").toInt(), output);
    QCOMPARE(usage.value("output_tokens_details").toObject(), (QJsonObject{{"reasoning_tokens", 0}}));
    QCOMPARE(usage.value("total_tokens").toInt(), input + output);
}

// The text of a finished response's one message.
QString outputText(const QJsonObject &response)
{
    const QJsonArray output = response.value("output").toArray();
    if (output.size() != 1)
        return {};
    return output.first().toObject().value("content").toArray().first().toObject().value("text").toString();
}
} // namespace

// POST /v1/responses, the OpenAI Responses API, as SimulatorResponsesWire writes it.
class tst_SimulatorResponsesWire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void wholeResponse();
    void streamEventOrder();
    void streamMatchesWholeResponse();
    void inputForms_data();
    void inputForms();
    void maxOutputTokens_data();
    void maxOutputTokens();
    void badRequests_data();
    void badRequests();
    void statusFault();
    void hang();
    void disconnect();
    void malformed();
    void noUsage_data();
    void noUsage();

private:
    std::unique_ptr<SimulatorServer> m_sim;
    std::unique_ptr<SimulatorTestClient> m_client;
};

void tst_SimulatorResponsesWire::init()
{
    QString error;
    m_sim = SimulatorTestClient::startSimulator(&error);
    QVERIFY2(m_sim, qPrintable(error));
    m_client = std::make_unique<SimulatorTestClient>(m_sim->port());
}

void tst_SimulatorResponsesWire::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

void tst_SimulatorResponsesWire::wholeResponse()
{
    const Reply r = m_client->request(kPath, body(false, {{"instructions", kInstructions}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(r.headers.value("x-request-id").startsWith("req_"));
    bool ok = false;
    const QJsonObject o = SimulatorTestClient::json(r.body, &ok);
    QVERIFY2(ok, r.body.constData());
    QVERIFY(o.value("id").toString().startsWith("resp_"));
    QCOMPARE(o.value("object").toString(), QString("response"));
    QCOMPARE(o.value("status").toString(), QString("completed"));
    QVERIFY(o.value("incomplete_details").isNull());
    QVERIFY(o.value("error").isNull());
    QCOMPARE(o.value("model").toString(), QString("gpt-5-codex"));
    QCOMPARE(o.value("instructions").toString(), QString(kInstructions));
    QVERIFY(o.value("created_at").toInteger() > 1'700'000'000);
    const QJsonArray output = o.value("output").toArray();
    QCOMPARE(output.size(), 1);
    const QJsonObject message = output.first().toObject();
    QCOMPARE(message.value("type").toString(), QString("message"));
    QCOMPARE(message.value("role").toString(), QString("assistant"));
    QCOMPARE(message.value("status").toString(), QString("completed"));
    QVERIFY(message.value("id").toString().startsWith("msg_"));
    const QJsonArray content = message.value("content").toArray();
    QCOMPARE(content.size(), 1);
    const QJsonObject part = content.first().toObject();
    QCOMPARE(part.value("type").toString(), QString("output_text"));
    QCOMPARE(part.value("annotations").toArray(), QJsonArray());
    const QString text = part.value("text").toString();
    QCOMPARE(wordCount(text), 12);
    QVERIFY(text.endsWith(QLatin1Char('.')));
    checkUsage(o.value("usage").toObject(), kPromptTokensWithInstructions, 12);
    QCOMPARE(m_sim->responsesCompleted(), quint64(1));
}

void tst_SimulatorResponsesWire::streamEventOrder()
{
    const Reply r = m_client->request(kPath, body(true));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
    QVERIFY2(clean, r.body.constData());

    QList<QByteArray> expected{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"};
    for (int i = 0; i < 12; ++i)
        expected.append("response.output_text.delta");
    expected += {"response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"};
    QList<QByteArray> names;
    for (const Event &e : events)
        names.append(e.name);
    QCOMPARE(names, expected);

    QString deltas;
    QString itemId;
    for (int i = 0; i < events.size(); ++i) {
        bool ok = false;
        const QJsonObject o = SimulatorTestClient::json(events.at(i).data, &ok);
        QVERIFY2(ok, events.at(i).data.constData());
        QCOMPARE(o.value("type").toString().toUtf8(), events.at(i).name);
        QCOMPARE(o.value("sequence_number").toInt(-1), i);
        if (o.contains("item_id")) {
            if (itemId.isEmpty())
                itemId = o.value("item_id").toString();
            QCOMPARE(o.value("item_id").toString(), itemId);
            QCOMPARE(o.value("output_index").toInt(-1), 0);
        }
        if (events.at(i).name == "response.output_text.delta")
            deltas += o.value("delta").toString();
    }
    QVERIFY(itemId.startsWith("msg_"));

    const QJsonObject created = events.first().json().value("response").toObject();
    QCOMPARE(created.value("status").toString(), QString("in_progress"));
    QCOMPARE(created.value("output").toArray(), QJsonArray());
    QVERIFY(created.value("usage").isNull());
    const QJsonObject added = events.at(2).json().value("item").toObject();
    QCOMPARE(added.value("id").toString(), itemId);
    QCOMPARE(added.value("status").toString(), QString("in_progress"));
    QCOMPARE(added.value("content").toArray(), QJsonArray());

    QCOMPARE(wordCount(deltas), 12);
    QCOMPARE(events.at(events.size() - 4).json().value("text").toString(), deltas);
    QCOMPARE(events.at(events.size() - 3).json().value("part").toObject().value("text").toString(), deltas);
    const QJsonObject doneItem = events.at(events.size() - 2).json().value("item").toObject();
    QCOMPARE(doneItem.value("status").toString(), QString("completed"));
    QCOMPARE(doneItem.value("content").toArray().first().toObject().value("text").toString(), deltas);

    const QJsonObject completed = events.last().json().value("response").toObject();
    QCOMPARE(completed.value("id").toString(), created.value("id").toString());
    QCOMPARE(completed.value("status").toString(), QString("completed"));
    QCOMPARE(outputText(completed), deltas);
    checkUsage(completed.value("usage").toObject(), kPromptTokens, 12);
    QTRY_COMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(m_sim->responsesCompleted(), quint64(1));
}

void tst_SimulatorResponsesWire::streamMatchesWholeResponse()
{
    const Reply whole = m_client->request(kPath, body(false));
    const Reply stream = m_client->request(kPath, body(true));
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(stream.body, &clean);
    QVERIFY(!events.isEmpty());
    const QJsonObject wholeResponse = SimulatorTestClient::json(whole.body);
    const QJsonObject streamed = events.last().json().value("response").toObject();
    QVERIFY(!outputText(wholeResponse).isEmpty());
    QCOMPARE(outputText(streamed), outputText(wholeResponse));
    QCOMPARE(streamed.value("usage"), wholeResponse.value("usage"));
}

void tst_SimulatorResponsesWire::inputForms_data()
{
    QTest::addColumn<QJsonValue>("input");
    QTest::addColumn<int>("promptTokens");

    QTest::newRow("string") << QJsonValue(kUserText) << kPromptTokens;
    // An easy message and a typed message with content parts: 3 + (4 + 8) + (4 + 2).
    QTest::newRow("messages with content parts")
        << QJsonValue(QJsonArray{QJsonObject{{"role", "user"}, {"content", kUserText}},
                                 QJsonObject{{"type", "message"}, {"role", "developer"},
                                             {"content", QJsonArray{QJsonObject{{"type", "input_text"}, {"text", "Go on"}}}}}})
        << 3 + 12 + 6;
    // A tool round trip as Codex sends it back: call, output, and a reasoning item.
    QTest::newRow("function_call and function_call_output items")
        << QJsonValue(QJsonArray{QJsonObject{{"role", "user"}, {"content", "list files"}},
                                 QJsonObject{{"type", "reasoning"}, {"summary", QJsonArray()}},
                                 QJsonObject{{"type", "function_call"}, {"call_id", "call_1"}, {"name", "shell"}, {"arguments", "{}"}},
                                 QJsonObject{{"type", "function_call_output"}, {"call_id", "call_1"}, {"output", "README.md"}}})
        << -1;
}

void tst_SimulatorResponsesWire::inputForms()
{
    QFETCH(QJsonValue, input);
    QFETCH(int, promptTokens);
    QJsonObject o{{"model", "m"}, {"input", input}};
    const Reply r = m_client->request(kPath, QJsonDocument(o).toJson(QJsonDocument::Compact));
    QCOMPARE(r.status, 200);
    const QJsonObject response = SimulatorTestClient::json(r.body);
    QCOMPARE(wordCount(outputText(response)), 12);
    const int counted = response.value("usage").toObject().value("input_tokens").toInt();
    if (promptTokens >= 0)
        QCOMPARE(counted, promptTokens);
    else
        QVERIFY(counted > kPromptTokens);
}

void tst_SimulatorResponsesWire::maxOutputTokens_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("expected");

    QTest::newRow("whole, cut at 16") << false << 16 << 16;
    QTest::newRow("stream, cut at 20") << true << 20 << 20;
    QTest::newRow("whole, limit above the answer") << false << 100 << 40;
    QTest::newRow("stream, limit equal to the answer") << true << 40 << 40;
}

void tst_SimulatorResponsesWire::maxOutputTokens()
{
    QFETCH(bool, stream);
    QFETCH(int, limit);
    QFETCH(int, expected);
    const bool cut = limit < 40;

    const Reply r = m_client->request(kPath, body(stream, {{"max_output_tokens", limit}}),
                                      SimulatorTestClient::headers({{"x-sim-completion-tokens", "40"}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QJsonObject response;
    if (stream) {
        bool clean = false;
        const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
        QVERIFY(clean);
        int deltas = 0;
        for (const Event &e : events)
            deltas += e.name == "response.output_text.delta";
        QCOMPARE(deltas, expected);
        // A cut stream ends with response.incomplete, as OpenAI's does.
        QCOMPARE(events.last().name, cut ? QByteArray("response.incomplete") : QByteArray("response.completed"));
        response = events.last().json().value("response").toObject();
    } else {
        response = SimulatorTestClient::json(r.body);
    }
    QCOMPARE(response.value("max_output_tokens").toInt(), limit);
    QCOMPARE(wordCount(outputText(response)), expected);
    QCOMPARE(response.value("usage").toObject().value("output_tokens").toInt(), expected);
    QCOMPARE(response.value("status").toString(), cut ? QString("incomplete") : QString("completed"));
    if (cut) {
        QCOMPARE(response.value("incomplete_details").toObject(), (QJsonObject{{"reason", "max_output_tokens"}}));
        QCOMPARE(response.value("output").toArray().first().toObject().value("status").toString(), QString("incomplete"));
        QVERIFY(!outputText(response).endsWith(QLatin1Char('.')));
    } else {
        QVERIFY(response.value("incomplete_details").isNull());
    }
}

void tst_SimulatorResponsesWire::badRequests_data()
{
    QTest::addColumn<QByteArray>("requestBody");
    QTest::addColumn<QByteArray>("param");
    QTest::addColumn<QString>("messageHas");

    QTest::newRow("not json") << QByteArray("{nope") << QByteArray() << QString("could not parse the JSON body");
    QTest::newRow("no model") << QByteArray(R"({"input":"hi"})") << QByteArray() << QString("model");
    QTest::newRow("no input") << QByteArray(R"({"model":"m"})") << QByteArray("input") << QString("'input'");
    QTest::newRow("input a number") << QByteArray(R"({"model":"m","input":5})") << QByteArray("input") << QString("'input'");
    QTest::newRow("input item not an object") << QByteArray(R"({"model":"m","input":["hi"]})") << QByteArray("input[0]")
                                              << QString("input[0]");
    QTest::newRow("max_output_tokens below 16") << QByteArray(R"({"model":"m","input":"hi","max_output_tokens":8})")
                                                << QByteArray("max_output_tokens") << QString(">= 16");
    QTest::newRow("stream not a boolean") << QByteArray(R"({"model":"m","input":"hi","stream":"yes"})") << QByteArray("stream")
                                          << QString("'stream'");
    QTest::newRow("required tool_choice without tools") << QByteArray(R"({"model":"m","input":"hi","tool_choice":"required"})")
                                                        << QByteArray("tool_choice") << QString("'tools'");
}

void tst_SimulatorResponsesWire::badRequests()
{
    QFETCH(QByteArray, requestBody);
    QFETCH(QByteArray, param);
    QFETCH(QString, messageHas);

    const Reply r = m_client->request(kPath, requestBody);
    QCOMPARE(r.status, 400);
    bool ok = false;
    const QJsonObject e = SimulatorTestClient::json(r.body, &ok).value("error").toObject();
    QVERIFY2(ok, r.body.constData());
    QCOMPARE(e.keys(), (QStringList{"code", "message", "param", "type"}));
    QCOMPARE(e.value("type").toString(), QString("invalid_request_error"));
    QVERIFY2(e.value("message").toString().contains(messageHas), qPrintable(e.value("message").toString()));
    QCOMPARE(e.value("param").toString().toUtf8(), param);
}

void tst_SimulatorResponsesWire::statusFault()
{
    const Reply r = m_client->request(kPath, body(true),
                                      SimulatorTestClient::headers({{"x-sim-fault", "status:429"}, {"x-sim-retry-after", "4"}}));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.headers.value("retry-after"), QByteArray("4"));
    const QJsonObject e = SimulatorTestClient::json(r.body).value("error").toObject();
    QCOMPARE(e.value("type").toString(), QString("rate_limit_exceeded"));
    QCOMPARE(e.value("code").toString(), QString("rate_limit_exceeded"));
}

void tst_SimulatorResponsesWire::hang()
{
    const auto reply = m_client->start(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "hang"}}));
    QTRY_COMPARE(m_sim->exchangesPending(), 1);
    QCOMPARE(m_sim->streamsOpen(), 0);
    QCOMPARE(reply->status, 0);
    QVERIFY(!reply->done());
}

void tst_SimulatorResponsesWire::disconnect()
{
    const Reply r = m_client->request(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "disconnect:4"}}));
    QVERIFY(r.failed);
    QCOMPARE(r.failure, UpstreamCall::Failure::ClosedEarly);
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
    QVERIFY(clean);
    int deltas = 0;
    for (const Event &e : events) {
        QVERIFY(e.name != "response.completed" && e.name != "response.output_item.done");
        deltas += e.name == "response.output_text.delta";
    }
    QCOMPARE(deltas, 4);
    QTRY_COMPARE(m_sim->streamsOpen(), 0);
    // A whole response is dropped before any byte of it.
    const Reply whole = m_client->request(kPath, body(false), SimulatorTestClient::headers({{"x-sim-fault", "disconnect:0"}}));
    QVERIFY(whole.failed);
    QCOMPARE(whole.status, 0);
}

void tst_SimulatorResponsesWire::malformed()
{
    const Reply r = m_client->request(kPath, body(true), SimulatorTestClient::headers({{"x-sim-fault", "malformed:3"}}));
    QVERIFY(r.finished);
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
    QVERIFY(clean);
    int deltas = 0;
    int deltasBeforeBroken = -1;
    for (const Event &e : events) {
        bool ok = false;
        SimulatorTestClient::json(e.data, &ok);
        if (!ok) {
            QCOMPARE(deltasBeforeBroken, -1);
            deltasBeforeBroken = deltas;
            QCOMPARE(e.name, QByteArray("response.output_text.delta"));
        }
        deltas += ok && e.name == "response.output_text.delta";
    }
    QCOMPARE(deltasBeforeBroken, 3);
    QCOMPARE(deltas, 12);
    QCOMPARE(events.last().name, QByteArray("response.completed"));
}

void tst_SimulatorResponsesWire::noUsage_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("whole") << false;
    QTest::newRow("stream") << true;
}

void tst_SimulatorResponsesWire::noUsage()
{
    QFETCH(bool, stream);
    const Reply r = m_client->request(kPath, body(stream), SimulatorTestClient::headers({{"x-sim-fault", "no-usage"}}));
    QVERIFY(r.finished);
    QCOMPARE(r.status, 200);
    QVERIFY2(!r.body.contains("usage"), r.body.constData());
    QVERIFY(!r.body.contains("\"input_tokens\"") && !r.body.contains("\"output_tokens\""));
    QJsonObject response = SimulatorTestClient::json(r.body);
    if (stream) {
        bool clean = false;
        const QList<Event> events = SimulatorTestClient::events(r.body, &clean);
        QCOMPARE(events.last().name, QByteArray("response.completed"));
        response = events.last().json().value("response").toObject();
    }
    QCOMPARE(response.value("status").toString(), QString("completed"));
    QCOMPARE(wordCount(outputText(response)), 12);
}

QTEST_GUILESS_MAIN(tst_SimulatorResponsesWire)
#include "tst_SimulatorResponsesWire.moc"
