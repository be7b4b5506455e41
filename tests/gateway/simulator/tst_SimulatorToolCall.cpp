#include "SimulatorTestClient.h"
#include "simulator/SimulatorSchemaArguments.h"
#include "simulator/SimulatorServer.h"
#include "simulator/SimulatorToolCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

namespace {
using Reply = SimulatorTestClient::Reply;
using Event = SimulatorTestClient::Event;
using Wire = SimulatorToolRequest::Wire;

QByteArray compact(const QJsonValue &v)
{
    return v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                        : QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
}

const QJsonObject kWeatherSchema{
    {"type", "object"},
    {"properties", QJsonObject{{"city", QJsonObject{{"type", "string"}}},
                               {"days", QJsonObject{{"type", "integer"}, {"minimum", 1}, {"maximum", 7}}},
                               {"unit", QJsonObject{{"type", "string"}, {"enum", QJsonArray{"celsius", "fahrenheit"}}}},
                               {"detailed", QJsonObject{{"type", "boolean"}}}}},
    {"required", QJsonArray{"city", "days", "unit"}}};
const QJsonObject kSearchSchema{{"type", "object"},
                                {"properties", QJsonObject{{"query", QJsonObject{{"type", "string"}}},
                                                           {"limit", QJsonObject{{"type", "number"}, {"minimum", 0.5}, {"maximum", 2}}}}},
                                {"required", QJsonArray{"query", "limit"}}};

QByteArray pathOf(Wire wire)
{
    switch (wire) {
    case Wire::Chat: return "/v1/chat/completions";
    case Wire::Messages: return "/v1/messages";
    case Wire::Responses: return "/v1/responses";
    }
    return {};
}

QJsonArray toolsFor(Wire wire)
{
    QJsonArray out;
    const std::pair<const char *, QJsonObject> tools[] = {{"get_weather", kWeatherSchema}, {"search", kSearchSchema}};
    for (const auto &[name, schema] : tools) {
        if (wire == Wire::Chat)
            out.append(QJsonObject{{"type", "function"}, {"function", QJsonObject{{"name", name}, {"parameters", schema}}}});
        else if (wire == Wire::Messages)
            out.append(QJsonObject{{"name", name}, {"description", "a tool"}, {"input_schema", schema}});
        else
            out.append(QJsonObject{{"type", "function"}, {"name", name}, {"parameters", schema}, {"strict", false}});
    }
    // A tool of another kind is accepted and never called.
    if (wire == Wire::Messages)
        out.prepend(QJsonObject{{"type", "web_search_20250305"}, {"name", "web_search"}});
    else if (wire == Wire::Responses)
        out.prepend(QJsonObject{{"type", "web_search"}});
    return out;
}

// tool_choice demanding a call: of any tool, or of the named one.
QJsonValue requiredChoice(Wire wire, const QString &name = {})
{
    switch (wire) {
    case Wire::Chat:
        return name.isEmpty() ? QJsonValue("required")
                              : QJsonValue(QJsonObject{{"type", "function"}, {"function", QJsonObject{{"name", name}}}});
    case Wire::Messages:
        return name.isEmpty() ? QJsonObject{{"type", "any"}} : QJsonObject{{"type", "tool"}, {"name", name}};
    case Wire::Responses:
        return name.isEmpty() ? QJsonValue("required") : QJsonValue(QJsonObject{{"type", "function"}, {"name", name}});
    }
    return {};
}

// A request body; `resultFor` non-empty adds a call of that id and its result to the conversation.
QByteArray requestBody(Wire wire, bool stream, const QJsonValue &toolChoice, bool withTools = true, const QString &resultFor = {},
                       int maxTokens = -1)
{
    const QJsonObject user{{"role", "user"}, {"content", "What is the weather in Paris?"}};
    QJsonArray conversation{user};
    if (!resultFor.isEmpty()) {
        if (wire == Wire::Chat) {
            conversation.append(QJsonObject{
                {"role", "assistant"}, {"content", QJsonValue::Null},
                {"tool_calls", QJsonArray{QJsonObject{{"id", resultFor}, {"type", "function"},
                                                      {"function", QJsonObject{{"name", "read_file"}, {"arguments", "{}"}}}}}}});
            conversation.append(QJsonObject{{"role", "tool"}, {"tool_call_id", resultFor}, {"content", "sunny"}});
        } else if (wire == Wire::Messages) {
            conversation.append(QJsonObject{
                {"role", "assistant"},
                {"content", QJsonArray{QJsonObject{{"type", "tool_use"}, {"id", resultFor}, {"name", "read_file"}, {"input", QJsonObject()}}}}});
            conversation.append(QJsonObject{
                {"role", "user"},
                {"content", QJsonArray{QJsonObject{{"type", "tool_result"}, {"tool_use_id", resultFor}, {"content", "sunny"}}}}});
        } else {
            conversation.append(QJsonObject{{"type", "function_call"}, {"call_id", resultFor}, {"name", "read_file"}, {"arguments", "{}"}});
            conversation.append(QJsonObject{{"type", "function_call_output"}, {"call_id", resultFor}, {"output", "sunny"}});
        }
    }
    QJsonObject o{{"model", "tokenfuse-sim-mini"}};
    o[wire == Wire::Responses ? "input" : "messages"] = conversation;
    if (wire == Wire::Messages)
        o["max_tokens"] = maxTokens > 0 ? maxTokens : 1024;
    else if (maxTokens > 0)
        o[wire == Wire::Responses ? "max_output_tokens" : "max_tokens"] = maxTokens;
    if (withTools)
        o["tools"] = toolsFor(wire);
    if (!toolChoice.isUndefined())
        o["tool_choice"] = toolChoice;
    if (stream) {
        o["stream"] = true;
        if (wire == Wire::Chat)
            o["stream_options"] = QJsonObject{{"include_usage", true}};
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// What a client makes of an answer, in any wire format: a tool call or text.
struct Seen
{
    bool ok = false;           // the answer parsed, whatever it holds
    QByteArray callId;
    QString name;              // empty: no tool call
    QByteArray arguments;      // as sent (reassembled from a stream's pieces)
    QString text;
    QString finish;            // finish_reason / stop_reason / status
    int outputTokens = -1;
    int pieces = 0;            // argument pieces streamed
};

Seen seeWhole(Wire wire, const QByteArray &body)
{
    Seen s;
    const QJsonObject o = SimulatorTestClient::json(body, &s.ok);
    if (wire == Wire::Chat) {
        const QJsonObject choice = o.value("choices").toArray().first().toObject();
        const QJsonObject message = choice.value("message").toObject();
        s.finish = choice.value("finish_reason").toString();
        s.outputTokens = o.value("usage").toObject().value("completion_tokens").toInt(-1);
        s.text = message.value("content").toString();
        const QJsonObject call = message.value("tool_calls").toArray().first().toObject();
        s.callId = call.value("id").toString().toUtf8();
        s.name = call.value("function").toObject().value("name").toString();
        s.arguments = call.value("function").toObject().value("arguments").toString().toUtf8();
        if (!s.name.isEmpty() && !message.value("content").isNull())
            s.ok = false; // a tool call carries null content
    } else if (wire == Wire::Messages) {
        const QJsonArray content = o.value("content").toArray();
        const QJsonObject block = content.first().toObject();
        s.finish = o.value("stop_reason").toString();
        s.outputTokens = o.value("usage").toObject().value("output_tokens").toInt(-1);
        if (content.size() != 1)
            s.ok = false;
        if (block.value("type") == QJsonValue("tool_use")) {
            s.callId = block.value("id").toString().toUtf8();
            s.name = block.value("name").toString();
            s.arguments = compact(block.value("input"));
        } else {
            s.text = block.value("text").toString();
        }
    } else {
        const QJsonArray output = o.value("output").toArray();
        const QJsonObject item = output.first().toObject();
        s.finish = o.value("status").toString();
        s.outputTokens = o.value("usage").toObject().value("output_tokens").toInt(-1);
        if (output.size() != 1)
            s.ok = false;
        if (item.value("type") == QJsonValue("function_call")) {
            s.callId = item.value("call_id").toString().toUtf8();
            s.name = item.value("name").toString();
            s.arguments = item.value("arguments").toString().toUtf8();
            if (!item.value("id").toString().startsWith("fc_"))
                s.ok = false;
        } else {
            s.text = item.value("content").toArray().first().toObject().value("text").toString();
        }
    }
    return s;
}

Seen seeStream(Wire wire, const QByteArray &body)
{
    Seen s;
    bool clean = false;
    const QList<Event> events = SimulatorTestClient::events(body, &clean);
    s.ok = clean && !events.isEmpty();
    QByteArray doneArguments;
    for (const Event &e : events) {
        if (e.data == "[DONE]")
            continue;
        bool ok = false;
        const QJsonObject o = SimulatorTestClient::json(e.data, &ok);
        s.ok = s.ok && ok;
        if (wire == Wire::Chat) {
            if (o.contains("usage") && o.value("usage").isObject())
                s.outputTokens = o.value("usage").toObject().value("completion_tokens").toInt(-1);
            const QJsonObject choice = o.value("choices").toArray().first().toObject();
            const QJsonObject delta = choice.value("delta").toObject();
            if (choice.value("finish_reason").isString())
                s.finish = choice.value("finish_reason").toString();
            s.text += delta.value("content").toString();
            const QJsonObject call = delta.value("tool_calls").toArray().first().toObject();
            if (call.isEmpty())
                continue;
            if (call.value("index").toInt(-1) != 0)
                s.ok = false;
            if (call.contains("id")) {
                s.callId = call.value("id").toString().toUtf8();
                s.name = call.value("function").toObject().value("name").toString();
                if (call.value("function").toObject().value("arguments") != QJsonValue(""))
                    s.ok = false;
            } else {
                s.arguments += call.value("function").toObject().value("arguments").toString().toUtf8();
                ++s.pieces;
            }
        } else if (wire == Wire::Messages) {
            const QJsonObject delta = o.value("delta").toObject();
            if (e.name == "content_block_start") {
                const QJsonObject block = o.value("content_block").toObject();
                if (block.value("type") == QJsonValue("tool_use")) {
                    s.callId = block.value("id").toString().toUtf8();
                    s.name = block.value("name").toString();
                    if (block.value("input") != QJsonValue(QJsonObject()))
                        s.ok = false;
                }
            } else if (e.name == "content_block_delta") {
                if (delta.value("type") == QJsonValue("input_json_delta")) {
                    s.arguments += delta.value("partial_json").toString().toUtf8();
                    ++s.pieces;
                } else {
                    s.text += delta.value("text").toString();
                }
            } else if (e.name == "message_delta") {
                s.finish = delta.value("stop_reason").toString();
                s.outputTokens = o.value("usage").toObject().value("output_tokens").toInt(-1);
            }
        } else {
            const QString type = o.value("type").toString();
            if (type == "response.output_item.added") {
                const QJsonObject item = o.value("item").toObject();
                if (item.value("type") == QJsonValue("function_call")) {
                    s.callId = item.value("call_id").toString().toUtf8();
                    s.name = item.value("name").toString();
                    if (item.value("arguments") != QJsonValue(""))
                        s.ok = false;
                }
            } else if (type == "response.function_call_arguments.delta") {
                s.arguments += o.value("delta").toString().toUtf8();
                ++s.pieces;
            } else if (type == "response.function_call_arguments.done") {
                doneArguments = o.value("arguments").toString().toUtf8();
            } else if (type == "response.output_text.delta") {
                s.text += o.value("delta").toString();
            } else if (type == "response.completed" || type == "response.incomplete") {
                const QJsonObject response = o.value("response").toObject();
                s.finish = response.value("status").toString();
                s.outputTokens = response.value("usage").toObject().value("output_tokens").toInt(-1);
                const QJsonObject item = response.value("output").toArray().first().toObject();
                if (!s.name.isEmpty() && item.value("arguments").toString().toUtf8() != s.arguments)
                    s.ok = false;
            }
        }
    }
    if (wire == Wire::Responses && !s.name.isEmpty() && doneArguments != s.arguments)
        s.ok = false;
    return s;
}

Seen see(Wire wire, bool stream, const Reply &r)
{
    if (!r.finished || r.status != 200)
        return {};
    return stream ? seeStream(wire, r.body) : seeWhole(wire, r.body);
}

QString callFinish(Wire wire)
{
    switch (wire) {
    case Wire::Chat: return QStringLiteral("tool_calls");
    case Wire::Messages: return QStringLiteral("tool_use");
    case Wire::Responses: return QStringLiteral("completed");
    }
    return {};
}

QString textFinish(Wire wire)
{
    switch (wire) {
    case Wire::Chat: return QStringLiteral("stop");
    case Wire::Messages: return QStringLiteral("end_turn");
    case Wire::Responses: return QStringLiteral("completed");
    }
    return {};
}

void addWireRows()
{
    QTest::addColumn<int>("wire");
    QTest::addColumn<bool>("stream");
    const std::pair<const char *, Wire> wires[] = {{"chat", Wire::Chat}, {"messages", Wire::Messages}, {"responses", Wire::Responses}};
    for (const auto &[name, wire] : wires) {
        QTest::addRow("%s whole", name) << int(wire) << false;
        QTest::addRow("%s stream", name) << int(wire) << true;
    }
}
} // namespace

// Tool calls in every dialect, whole and streamed: the ones tool_choice demands, with arguments
// from the tool's schema (SimulatorSchemaArguments), and the scripted ones of the tool-call knob.
class tst_SimulatorToolCall : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void fragments_data();
    void fragments();
    void schemaArguments_data();
    void schemaArguments();
    void schemaArgumentsAreDeterministic();

    void requiredToolCall_data();
    void requiredToolCall();
    void namedToolCall_data();
    void namedToolCall();
    void autoToolChoiceAnswersText_data();
    void autoToolChoiceAnswersText();
    void impossibleToolChoice_data();
    void impossibleToolChoice();
    void maxTokensCutsToolCall();

    void scriptedLoop_data();
    void scriptedLoop();
    void scriptedFromProfile();
    void scriptedArgumentsFromSchema();
    void badScriptHeader();

private:
    std::unique_ptr<SimulatorServer> m_sim;
    std::unique_ptr<SimulatorTestClient> m_client;
};

void tst_SimulatorToolCall::init()
{
    QString error;
    m_sim = SimulatorTestClient::startSimulator(&error);
    QVERIFY2(m_sim, qPrintable(error));
    m_client = std::make_unique<SimulatorTestClient>(m_sim->port());
}

void tst_SimulatorToolCall::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

// ---- Arguments --------------------------------------------------------------------------------

void tst_SimulatorToolCall::fragments_data()
{
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QList<QByteArray>>("pieces");

    QTest::newRow("object") << QByteArray(R"({"city":"Paris"})")
                            << QList<QByteArray>{"{", "\"", "city", "\"", ":", "\"", "Paris", "\"", "}"};
    QTest::newRow("white space goes with the next piece") << QByteArray(R"({"a": 12, "b": "x y"})")
                                                           << QList<QByteArray>{"{", "\"", "a", "\"", ":", " 12", ",", " \"", "b", "\"", ":", " \"", "x", " y", "\"", "}"};
    QTest::newRow("empty object") << QByteArray("{}") << QList<QByteArray>{"{", "}"};
    QTest::newRow("UTF-8 stays whole") << QByteArray("{\"k\":\"caf\xc3\xa9\"}")
                                       << QList<QByteArray>{"{", "\"", "k", "\"", ":", "\"", "caf\xc3\xa9", "\"", "}"};
}

void tst_SimulatorToolCall::fragments()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QList<QByteArray>, pieces);
    const QList<QByteArray> got = SimulatorToolCall::fragments(arguments);
    QCOMPARE(got, pieces);
    QCOMPARE(got.join(), arguments);
}

void tst_SimulatorToolCall::schemaArguments_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QByteArray>("expectedKeys"); // comma-separated, in order

    QTest::newRow("required only, in schema order") << kWeatherSchema << QByteArray("city,days,unit");
    QTest::newRow("no required") << QJsonObject{{"type", "object"}, {"properties", QJsonObject{{"a", QJsonObject{{"type", "string"}}}}}}
                                 << QByteArray();
    QTest::newRow("empty schema") << QJsonObject() << QByteArray();
    const QJsonObject nested{
        {"type", "object"},
        {"properties", QJsonObject{{"filter", QJsonObject{{"$ref", "#/$defs/Filter"}}},
                                   {"tags", QJsonObject{{"type", "array"}, {"minItems", 2}, {"items", QJsonObject{{"type", "string"}}}}},
                                   {"when", QJsonObject{{"type", "string"}, {"format", "date-time"}}},
                                   {"maybe", QJsonObject{{"anyOf", QJsonArray{QJsonObject{{"type", "null"}}, QJsonObject{{"type", "integer"}}}}}},
                                   {"kind", QJsonObject{{"const", "fixed"}}}}},
        {"required", QJsonArray{"filter", "tags", "when", "maybe", "kind"}},
        {"$defs", QJsonObject{{"Filter", QJsonObject{{"type", "object"},
                                                     {"properties", QJsonObject{{"field", QJsonObject{{"type", "string"}, {"maxLength", 4}}},
                                                                                {"exact", QJsonObject{{"type", "boolean"}}}}},
                                                     {"required", QJsonArray{"field", "exact"}}}}}}};
    QTest::newRow("refs, arrays, formats, anyOf, const") << nested << QByteArray("filter,tags,when,maybe,kind");
}

void tst_SimulatorToolCall::schemaArguments()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QByteArray, expectedKeys);
    for (quint64 seed = 1; seed < 40; ++seed) {
        const QByteArray text = SimulatorSchemaArguments::generate(schema, seed);
        bool ok = false;
        const QJsonObject args = SimulatorTestClient::json(text, &ok);
        QVERIFY2(ok, text.constData());
        // Keys come out in the schema's order, so compare the text's order, not QJsonObject's.
        QStringList keys;
        for (const QString &k : expectedKeys.isEmpty() ? QStringList() : QString::fromUtf8(expectedKeys).split(','))
            keys.append(k);
        QStringList sorted = keys;
        sorted.sort();
        QCOMPARE(args.keys(), sorted);
        qsizetype at = 0;
        for (const QString &k : keys) {
            const qsizetype pos = text.indexOf('"' + k.toUtf8() + "\":", at);
            QVERIFY2(pos >= at, text.constData());
            at = pos;
        }
        if (args.contains("days")) {
            QVERIFY(args.value("days").isDouble());
            const int days = args.value("days").toInt();
            QVERIFY(days >= 1 && days <= 7 && args.value("days").toDouble() == days);
            QVERIFY(args.value("city").isString() && !args.value("city").toString().isEmpty());
            QVERIFY(QStringList({"celsius", "fahrenheit"}).contains(args.value("unit").toString()));
        }
        if (args.contains("filter")) {
            const QJsonObject filter = args.value("filter").toObject();
            QVERIFY(filter.value("field").isString() && filter.value("field").toString().size() <= 4);
            QVERIFY(filter.value("exact").isBool());
            QCOMPARE(args.value("tags").toArray().size(), 2);
            QVERIFY(args.value("tags").toArray().first().isString());
            QCOMPARE(args.value("when").toString(), QString("2025-01-01T12:00:00Z"));
            QVERIFY(args.value("maybe").isDouble());
            QCOMPARE(args.value("kind").toString(), QString("fixed"));
        }
    }
}

void tst_SimulatorToolCall::schemaArgumentsAreDeterministic()
{
    QCOMPARE(SimulatorSchemaArguments::generate(kWeatherSchema, 7), SimulatorSchemaArguments::generate(kWeatherSchema, 7));
    QSet<QByteArray> seen;
    for (quint64 seed = 0; seed < 20; ++seed)
        seen.insert(SimulatorSchemaArguments::generate(kWeatherSchema, seed));
    QVERIFY2(seen.size() > 1, "different seeds give different arguments");
}

// ---- Calls tool_choice demands ----------------------------------------------------------------

void tst_SimulatorToolCall::requiredToolCall_data()
{
    addWireRows();
}

void tst_SimulatorToolCall::requiredToolCall()
{
    QFETCH(int, wire);
    QFETCH(bool, stream);
    const Wire w = Wire(wire);

    const QByteArray body = requestBody(w, stream, requiredChoice(w));
    const Reply r = m_client->request(pathOf(w), body);
    QCOMPARE(r.status, 200);
    const Seen s = see(w, stream, r);
    QVERIFY2(s.ok, r.body.constData());
    // The first function tool (the web search tool before it is of another kind).
    QCOMPARE(s.name, QString("get_weather"));
    QVERIFY2(s.callId.startsWith(w == Wire::Messages ? "toolu_" : "call_"), s.callId.constData());
    QVERIFY(s.text.isEmpty());
    bool ok = false;
    const QJsonObject args = SimulatorTestClient::json(s.arguments, &ok);
    QVERIFY2(ok, s.arguments.constData());
    QCOMPARE(args.keys(), (QStringList{"city", "days", "unit"}));
    QVERIFY(args.value("city").isString());
    QVERIFY(args.value("days").toInt() >= 1 && args.value("days").toInt() <= 7);
    QVERIFY(QStringList({"celsius", "fahrenheit"}).contains(args.value("unit").toString()));
    QCOMPARE(s.finish, callFinish(w));
    // The call's tokens are its output tokens: one per piece.
    const int pieces = int(SimulatorToolCall::fragments(s.arguments).size());
    QCOMPARE(s.outputTokens, pieces);
    if (stream)
        QCOMPARE(s.pieces, pieces);
    // The same request, the same arguments; whole or streamed alike.
    const Reply again = m_client->request(pathOf(w), requestBody(w, !stream, requiredChoice(w)));
    QCOMPARE(SimulatorTestClient::json(see(w, !stream, again).arguments), args);
}

void tst_SimulatorToolCall::namedToolCall_data()
{
    addWireRows();
}

void tst_SimulatorToolCall::namedToolCall()
{
    QFETCH(int, wire);
    QFETCH(bool, stream);
    const Wire w = Wire(wire);

    const Reply r = m_client->request(pathOf(w), requestBody(w, stream, requiredChoice(w, "search")));
    const Seen s = see(w, stream, r);
    QVERIFY2(s.ok, r.body.constData());
    QCOMPARE(s.name, QString("search"));
    const QJsonObject args = SimulatorTestClient::json(s.arguments);
    QCOMPARE(args.keys(), (QStringList{"limit", "query"}));
    QVERIFY(args.value("limit").toDouble() >= 0.5 && args.value("limit").toDouble() <= 2);
    QVERIFY(args.value("query").isString());
}

void tst_SimulatorToolCall::autoToolChoiceAnswersText_data()
{
    addWireRows();
}

void tst_SimulatorToolCall::autoToolChoiceAnswersText()
{
    QFETCH(int, wire);
    QFETCH(bool, stream);
    const Wire w = Wire(wire);

    const Reply r = m_client->request(pathOf(w), requestBody(w, stream, QJsonValue::Undefined));
    const Seen s = see(w, stream, r);
    QVERIFY2(s.ok, r.body.constData());
    QVERIFY(s.name.isEmpty());
    QCOMPARE(s.text.split(' ').size(), 12);
    QCOMPARE(s.finish, textFinish(w));
}

void tst_SimulatorToolCall::impossibleToolChoice_data()
{
    QTest::addColumn<int>("wire");
    QTest::addColumn<bool>("withTools");
    QTest::addColumn<QString>("name");

    QTest::newRow("chat required, no tools") << int(Wire::Chat) << false << QString();
    QTest::newRow("chat named, not among tools") << int(Wire::Chat) << true << QString("nope");
    QTest::newRow("messages any, no tools") << int(Wire::Messages) << false << QString();
    QTest::newRow("messages named, not among tools") << int(Wire::Messages) << true << QString("nope");
    QTest::newRow("responses named, not among tools") << int(Wire::Responses) << true << QString("nope");
}

void tst_SimulatorToolCall::impossibleToolChoice()
{
    QFETCH(int, wire);
    QFETCH(bool, withTools);
    QFETCH(QString, name);
    const Wire w = Wire(wire);

    const Reply r = m_client->request(pathOf(w), requestBody(w, false, requiredChoice(w, name), withTools));
    QCOMPARE(r.status, 400);
    const QJsonObject o = SimulatorTestClient::json(r.body);
    const QJsonObject e = o.value("error").toObject();
    QCOMPARE(e.value("type").toString(), QString("invalid_request_error"));
    QVERIFY2(e.value("message").toString().contains("tool"), r.body.constData());
    if (w == Wire::Messages)
        QCOMPARE(o.value("type").toString(), QString("error"));
    else
        QCOMPARE(e.value("param").toString(), QString("tool_choice"));
    if (!name.isEmpty())
        QVERIFY(e.value("message").toString().contains(name));
}

void tst_SimulatorToolCall::maxTokensCutsToolCall()
{
    const Reply r = m_client->request(pathOf(Wire::Chat), requestBody(Wire::Chat, false, requiredChoice(Wire::Chat), true, {}, 3));
    const Seen s = see(Wire::Chat, false, r);
    QVERIFY(s.ok);
    QCOMPARE(s.finish, QString("length"));
    QCOMPARE(s.arguments, QByteArray("{\"city"));
    QCOMPARE(s.outputTokens, 3);
}

// ---- Scripted calls ---------------------------------------------------------------------------

void tst_SimulatorToolCall::scriptedLoop_data()
{
    addWireRows();
}

void tst_SimulatorToolCall::scriptedLoop()
{
    QFETCH(int, wire);
    QFETCH(bool, stream);
    const Wire w = Wire(wire);
    const QByteArray arguments = R"({"path":"README.md","lines":[1,20]})";
    const HttpHeaders script = SimulatorTestClient::headers({{"x-sim-tool-call", "read_file"}, {"x-sim-tool-args", arguments}});

    // Step 1: whatever the tools and tool_choice, the answer is the scripted call, arguments exactly as given.
    const Reply first = m_client->request(pathOf(w), requestBody(w, stream, QJsonValue::Undefined), script);
    const Seen call = see(w, stream, first);
    QVERIFY2(call.ok, first.body.constData());
    QCOMPARE(call.name, QString("read_file"));
    if (w == Wire::Messages)
        QCOMPARE(SimulatorTestClient::json(call.arguments), SimulatorTestClient::json(arguments)); // an object, not text
    else
        QCOMPARE(call.arguments, arguments);
    QCOMPARE(call.finish, callFinish(w));

    // Step 2: the conversation now holds the call's result: the answer is text, and the loop ends.
    const Reply second = m_client->request(pathOf(w), requestBody(w, stream, QJsonValue::Undefined, true, QString::fromUtf8(call.callId)), script);
    const Seen text = see(w, stream, second);
    QVERIFY2(text.ok, second.body.constData());
    QVERIFY(text.name.isEmpty());
    QCOMPARE(text.text.split(' ').size(), 12);
    QCOMPARE(text.finish, textFinish(w));

    // A result for another call does not end it: the last call is still waiting for its own.
    QByteArray mismatched = requestBody(w, stream, QJsonValue::Undefined, true, "call_A");
    const QByteArray resultKey = w == Wire::Chat ? R"("tool_call_id":"call_A")" : w == Wire::Messages ? R"("tool_use_id":"call_A")"
                                                                                                        : R"("call_id":"call_A","output")";
    QVERIFY(mismatched.contains(resultKey));
    mismatched.replace(resultKey, QByteArray(resultKey).replace("call_A", "call_B"));
    const Seen again = see(w, stream, m_client->request(pathOf(w), mismatched, script));
    QVERIFY(again.ok);
    QCOMPARE(again.name, QString("read_file"));
}

void tst_SimulatorToolCall::scriptedFromProfile()
{
    SimulatorProfile p = m_sim->profile();
    QString error;
    QVERIFY2(p.applyOption("--tool-call", "search", &error), qPrintable(error));
    QVERIFY2(p.applyOption("--tool-args", R"({"query":"tokenfuse"})", &error), qPrintable(error));
    m_sim->setProfile(p);

    const Seen s = see(Wire::Responses, true, m_client->request(pathOf(Wire::Responses), requestBody(Wire::Responses, true, QJsonValue::Undefined)));
    QCOMPARE(s.name, QString("search"));
    QCOMPARE(s.arguments, QByteArray(R"({"query":"tokenfuse"})"));
    // A request opts out of the server's script.
    const Seen text = see(Wire::Chat, false,
                          m_client->request(pathOf(Wire::Chat), requestBody(Wire::Chat, false, QJsonValue::Undefined),
                                            SimulatorTestClient::headers({{"x-sim-tool-call", "none"}})));
    QVERIFY(text.ok);
    QVERIFY(text.name.isEmpty());
    QVERIFY(!text.text.isEmpty());
}

void tst_SimulatorToolCall::scriptedArgumentsFromSchema()
{
    // No x-sim-tool-args: the arguments come from the named tool's schema, when the request offers it.
    const Reply r = m_client->request(pathOf(Wire::Messages), requestBody(Wire::Messages, false, QJsonValue::Undefined),
                                      SimulatorTestClient::headers({{"x-sim-tool-call", "get_weather"}}));
    const Seen s = see(Wire::Messages, false, r);
    QCOMPARE(s.name, QString("get_weather"));
    QCOMPARE(SimulatorTestClient::json(s.arguments).keys(), (QStringList{"city", "days", "unit"}));
    // A tool the request does not offer is still called, with no arguments.
    const Seen unknown = see(Wire::Chat, false,
                             m_client->request(pathOf(Wire::Chat), requestBody(Wire::Chat, false, QJsonValue::Undefined, false),
                                               SimulatorTestClient::headers({{"x-sim-tool-call", "shell"}})));
    QCOMPARE(unknown.name, QString("shell"));
    QCOMPARE(unknown.arguments, QByteArray("{}"));
}

void tst_SimulatorToolCall::badScriptHeader()
{
    const Reply r = m_client->request(pathOf(Wire::Responses), requestBody(Wire::Responses, false, QJsonValue::Undefined),
                                      SimulatorTestClient::headers({{"x-sim-tool-call", "x"}, {"x-sim-tool-args", "[1,2]"}}));
    QCOMPARE(r.status, 400);
    const QString message = SimulatorTestClient::json(r.body).value("error").toObject().value("message").toString();
    QVERIFY2(message.contains("tool-args") && message.contains("JSON object"), qPrintable(message));
}

QTEST_GUILESS_MAIN(tst_SimulatorToolCall)
#include "tst_SimulatorToolCall.moc"
