// The Responses API dialect: reading requests, metering a recorded stream (reasoning summary, text
// and a tool call, as gpt-5-codex streams them to Codex), usage with cached and reasoning tokens,
// estimates when no usage came, and the error events that end a cut stream.
#include "dialect/OpenAiDialect.h"
#include "dialect/ResponsesDialect.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {
QByteArray recorded()
{
    QFile f(QStringLiteral(TOKENFUSE_TEST_SOURCE_DIR "/data/responses-reasoning-tool-call.sse"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("the recorded stream is missing");
    return f.readAll();
}

// The stream's events, split at their blank lines.
QList<QByteArray> events(const QByteArray &stream)
{
    QList<QByteArray> out;
    for (const QByteArray &e : stream.split('\n')) {
        if (e.startsWith("event: "))
            out << e + "\n";
        else if (!out.isEmpty() && !e.isEmpty())
            out.last() += e + "\n\n";
    }
    return out;
}

QJsonObject dataOf(const QByteArray &event)
{
    const qsizetype at = event.indexOf("data: ");
    return QJsonDocument::fromJson(event.mid(at + 6, event.indexOf('\n', at) - at - 6)).object();
}

std::unique_ptr<StreamMeter> meterFor(const QByteArray &body)
{
    ResponsesDialect d;
    QString error;
    return d.newStreamMeter(*d.parseRequest(body, &error));
}

const QByteArray kRequest = R"({"model":"gpt-5-codex","stream":true,"input":"list the files"})";
} // namespace

class tst_ResponsesDialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseRequest_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("errorMentions");
        QTest::newRow("string input") << QByteArray(R"({"model":"gpt-4.1","input":"hi"})") << true << QString();
        QTest::newRow("item input") << QByteArray(R"({"model":"gpt-4.1","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}]})") << true << QString();
        QTest::newRow("follow-up turn") << QByteArray(R"({"model":"gpt-4.1","previous_response_id":"resp_1"})") << true << QString();
        QTest::newRow("no model") << QByteArray(R"({"input":"hi"})") << false << QStringLiteral("'model'");
        QTest::newRow("input a number") << QByteArray(R"({"model":"gpt-4.1","input":7})") << false << QStringLiteral("'input'");
        QTest::newRow("not json") << QByteArray(R"({"model":)") << false << QStringLiteral("not valid JSON");
    }

    void parseRequest()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(QString, errorMentions);
        QString error;
        const auto r = ResponsesDialect().parseRequest(body, &error);
        QCOMPARE(r.has_value(), ok);
        if (!ok)
            QVERIFY2(error.contains(errorMentions), qPrintable(error));
        else
            QVERIFY(r->promptEstimate > 0);
    }

    void readsStreamAndMaxOutputTokens()
    {
        QString error;
        const auto r = ResponsesDialect().parseRequest(R"({"model":"gpt-4.1","input":"hi","stream":true,"max_output_tokens":300})", &error);
        QVERIFY(r->stream);
        QCOMPARE(r->maxTokens, 300);
        QCOMPARE(r->model, QStringLiteral("gpt-4.1"));
        QVERIFY2(ResponsesDialect().upstreamBody(*r).isEmpty(), "the client's bytes go up unchanged: the stream carries usage anyway");
        const auto none = ResponsesDialect().parseRequest(R"({"model":"gpt-4.1","input":"hi","max_tokens":5})", &error);
        QCOMPARE(none->maxTokens, -1);
    }

    void promptEstimateCountsInstructionsItemsAndTools()
    {
        QString error;
        ResponsesDialect d;
        const qint64 bare = d.parseRequest(R"({"model":"m","input":"list the files"})", &error)->promptEstimate;
        const qint64 instructed = d.parseRequest(
            R"({"model":"m","input":"list the files","instructions":"You are a careful coding agent working in a terminal."})", &error)->promptEstimate;
        const qint64 tooled = d.parseRequest(
            R"({"model":"m","input":"list the files","tools":[{"type":"function","name":"shell","parameters":{"type":"object","properties":{"command":{"type":"array"}}}}]})", &error)->promptEstimate;
        const qint64 items = d.parseRequest(
            R"({"model":"m","input":[{"role":"user","content":"list the files"},{"type":"function_call_output","call_id":"c1","output":"README.md src tests docs"}]})", &error)->promptEstimate;
        QVERIFY(instructed > bare + 10);
        QVERIFY(tooled > bare + 10);
        QVERIFY(items > bare + 4);
    }

    void meterReadsTheRecordedStream_data()
    {
        QTest::addColumn<int>("pieceSize");
        QTest::newRow("whole") << 0;
        QTest::newRow("7 bytes at a time") << 7;
        QTest::newRow("one byte at a time") << 1;
    }

    void meterReadsTheRecordedStream()
    {
        QFETCH(int, pieceSize);
        const QByteArray stream = recorded();
        auto meter = meterFor(kRequest);
        QByteArray out;
        qint64 countedBeforeEnd = 0;
        const qsizetype step = pieceSize > 0 ? pieceSize : stream.size();
        for (qsizetype at = 0; at < stream.size(); at += step) {
            out += meter->feed(stream.mid(at, step));
            if (!meter->sawTerminal())
                countedBeforeEnd = meter->countedCompletionTokens();
        }
        const QList<QByteArray> all = events(stream);
        // Everything but the terminal event passes as it came; that one waits for the row.
        QCOMPARE(out, stream.left(stream.size() - all.last().size()));
        QVERIFY(meter->sawTerminal());
        QCOMPARE(meter->takeTerminal(), all.last());
        // 11 reasoning summary deltas, 8 text deltas, 7 tool-argument deltas, counted as they came.
        QCOMPARE(meter->contentEvents(), 26);
        QVERIFY(meter->countedCompletionTokens() >= 26);
        if (step < stream.size())
            QVERIFY(countedBeforeEnd >= 26); // before response.completed arrived
        QVERIFY(!meter->sawError());
        QVERIFY(!meter->sawMalformed());
        const TokenUsage u = meter->usage(50);
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 4512);
        QCOMPARE(u.cachedTokens, 3968);
        QCOMPARE(u.completionTokens, 186);
        QCOMPARE(u.reasoningTokens, 128);
    }

    void meterKeepsTheAnswerTextOfTheRecordedStream()
    {
        // Of the reasoning summary, the text and the tool call, only the text is the answer.
        auto meter = meterFor(kRequest);
        meter->feed(recorded());
        QCOMPARE(meter->outputText(), QStringLiteral("I'll list the files in the repository."));
    }

    void outputTextOfAWholeResponse()
    {
        ResponsesDialect d;
        QCOMPARE(d.outputText(R"({"object":"response","output":[
            {"type":"reasoning","summary":[{"type":"summary_text","text":"thinking"}]},
            {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Here you are: ","annotations":[]},{"type":"output_text","text":"done."}]},
            {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{}"}]})"),
                 QStringLiteral("Here you are: done."));
        QCOMPARE(d.outputText(R"({"object":"response","output":[]})"), QString());
    }

    void streamWithoutUsageIsEstimatedFromItsDeltas()
    {
        QByteArray stream = recorded();
        const QList<QByteArray> all = events(stream);
        QJsonObject completed = dataOf(all.last());
        QJsonObject response = completed.value("response").toObject();
        response.insert("usage", QJsonValue::Null);
        completed.insert("response", response);
        stream.chop(all.last().size());
        stream += "event: response.completed\ndata: " + QJsonDocument(completed).toJson(QJsonDocument::Compact) + "\n\n";
        auto meter = meterFor(kRequest);
        meter->feed(stream);
        QVERIFY(meter->sawTerminal());
        const TokenUsage u = meter->usage(77);
        QVERIFY(!u.reported);
        QCOMPARE(u.promptTokens, 77);
        // At least one token per delta, and the text's estimate where it says more.
        QVERIFY2(u.completionTokens >= 26, qPrintable(QString::number(u.completionTokens)));
    }

    void otherTerminalEventsCarryUsage_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("error");
        QTest::newRow("incomplete") << QStringLiteral("response.incomplete") << false;
        QTest::newRow("failed") << QStringLiteral("response.failed") << true;
    }

    void otherTerminalEventsCarryUsage()
    {
        QFETCH(QString, type);
        QFETCH(bool, error);
        const QJsonObject usage{{"input_tokens", 40}, {"input_tokens_details", QJsonObject{{"cached_tokens", 8}}},
                                {"output_tokens", 300}, {"output_tokens_details", QJsonObject{{"reasoning_tokens", 290}}}};
        QJsonObject response{{"id", "resp_1"}, {"status", type.mid(9)}, {"usage", usage}};
        if (error)
            response.insert("error", QJsonObject{{"code", "server_error"}, {"message", "The model crashed."}});
        const QJsonObject event{{"type", type}, {"sequence_number", 9}, {"response", response}};
        auto meter = meterFor(kRequest);
        const QByteArray out = meter->feed("event: " + type.toUtf8() + "\ndata: " + QJsonDocument(event).toJson(QJsonDocument::Compact) + "\n\n");
        QVERIFY(out.isEmpty());
        QVERIFY(meter->sawTerminal());
        QCOMPARE(meter->sawError(), error);
        if (error)
            QCOMPARE(meter->errorMessage(), QStringLiteral("The model crashed."));
        const TokenUsage u = meter->usage(1);
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 40);
        QCOMPARE(u.cachedTokens, 8);
        QCOMPARE(u.completionTokens, 300);
        QCOMPARE(u.reasoningTokens, 290);
    }

    void upstreamErrorEventIsNoticed()
    {
        auto meter = meterFor(kRequest);
        const QByteArray e = R"(event: error
data: {"type":"error","code":"server_error","message":"The server had an error.","param":null,"sequence_number":3}

)";
        QCOMPARE(meter->feed(e), e);
        QVERIFY(meter->sawError());
        QCOMPARE(meter->errorMessage(), QStringLiteral("The server had an error."));
    }

    void aCutStreamEndsWithErrorEventsInItsNumbering()
    {
        const QByteArray stream = recorded();
        auto meter = meterFor(kRequest);
        meter->setGate([](const StreamMeter &m) { return m.contentEvents() < 5; });
        const QByteArray out = meter->feed(stream);
        QVERIFY(meter->wasStopped());
        // response.created, .in_progress, output_item.added, summary_part.added and four deltas.
        const QList<QByteArray> passed = events(out);
        QCOMPARE(passed.size(), 8);
        QCOMPARE(dataOf(passed.last()).value("sequence_number").toInt(), 7);

        const ResponsesDialect d;
        const QString message = QStringLiteral("Budget 'session per total' is spent: 100 of 100 tokens.");
        const QList<QByteArray> ending = events(meter->inSequence(d.streamErrorEvent(Dialect::Error::BudgetExceeded, message)));
        QCOMPARE(ending.size(), 2);
        QVERIFY(ending.at(0).startsWith("event: error\n"));
        const QJsonObject error = dataOf(ending.at(0));
        QCOMPARE(error.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(error.value("sequence_number").toInt(), 8);
        // Flat, as the Responses API documents it, and nested, as the openai SDK reads it.
        QCOMPARE(error.value("code").toString(), QStringLiteral("budget_exceeded"));
        QCOMPARE(error.value("message").toString(), message);
        QVERIFY(error.value("param").isNull());
        QCOMPARE(error.value("error").toObject(), QJsonDocument::fromJson(OpenAiDialect().errorBody(Dialect::Error::BudgetExceeded, message))
                                                      .object().value("error").toObject());
        QVERIFY(ending.at(1).startsWith("event: response.failed\n"));
        const QJsonObject failed = dataOf(ending.at(1));
        QCOMPARE(failed.value("sequence_number").toInt(), 9);
        const QJsonObject response = failed.value("response").toObject();
        QCOMPARE(response.value("id").toString(), QStringLiteral("resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b"));
        QCOMPARE(response.value("status").toString(), QStringLiteral("failed"));
        QCOMPARE(response.value("error").toObject().value("code").toString(), QStringLiteral("budget_exceeded"));
        QCOMPARE(response.value("error").toObject().value("message").toString(), message);
    }

    void usageFromAWholeResponse()
    {
        const QByteArray body = R"({"id":"resp_1","object":"response","status":"completed","output":[],
            "usage":{"input_tokens":2006,"input_tokens_details":{"cached_tokens":1920},"output_tokens":300,
                     "output_tokens_details":{"reasoning_tokens":256},"total_tokens":2306}})";
        const TokenUsage u = ResponsesDialect().usageFromResponse(body);
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 2006);
        QCOMPARE(u.cachedTokens, 1920);
        QCOMPARE(u.completionTokens, 300);
        QCOMPARE(u.reasoningTokens, 256);
        QVERIFY(!ResponsesDialect().usageFromResponse(R"({"id":"resp_1","usage":null})").reported);
    }

    void errorsAreOpenAiShaped()
    {
        const QString m = QStringLiteral("no");
        QCOMPARE(ResponsesDialect().errorBody(Dialect::Error::RateLimited, m), OpenAiDialect().errorBody(Dialect::Error::RateLimited, m));
        QCOMPARE(ResponsesDialect().id(), ApiDialect::OpenAi);
        QCOMPARE(Dialect::forEndpoint("/v1/responses")->id(), ApiDialect::OpenAi);
        QVERIFY(dynamic_cast<const ResponsesDialect *>(Dialect::forEndpoint("/v1/responses")));
        QVERIFY(!Dialect::forEndpoint("/v1/responses/resp_1"));
    }
};

QTEST_GUILESS_MAIN(tst_ResponsesDialect)
#include "tst_ResponsesDialect.moc"
