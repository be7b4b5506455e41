// The two dialects: request reading, usage reading, stream metering and error shapes.
#include "dialect/AnthropicDialect.h"
#include "dialect/OpenAiDialect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {
QByteArray chunk(const QJsonObject &o)
{
    return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}
QByteArray openAiDelta(const QString &text)
{
    return chunk(QJsonObject{{"object", "chat.completion.chunk"}, {"usage", QJsonValue::Null},
                             {"choices", QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{"content", text}}}}}}});
}
QByteArray openAiUsage(int p, int c, int cached = 0)
{
    return chunk(QJsonObject{{"choices", QJsonArray{}},
                             {"usage", QJsonObject{{"prompt_tokens", p}, {"completion_tokens", c}, {"total_tokens", p + c},
                                                   {"prompt_tokens_details", QJsonObject{{"cached_tokens", cached}}}}}});
}
QByteArray anthropic(const char *name, const QJsonObject &o)
{
    return QByteArray("event: ") + name + "\ndata: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}
} // namespace

class tst_Dialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseRequest_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("errorMentions");
        QTest::newRow("openai ok") << 0 << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})") << true << QString();
        QTest::newRow("openai no model") << 0 << QByteArray(R"({"messages":[]})") << false << QStringLiteral("model");
        QTest::newRow("openai empty model") << 0 << QByteArray(R"({"model":" ","messages":[]})") << false << QStringLiteral("model");
        QTest::newRow("openai model not string") << 0 << QByteArray(R"({"model":5,"messages":[]})") << false << QStringLiteral("model");
        QTest::newRow("openai no messages") << 0 << QByteArray(R"({"model":"m"})") << false << QStringLiteral("messages");
        QTest::newRow("openai truncated json") << 0 << QByteArray(R"({"model":"m",)") << false << QStringLiteral("not valid JSON");
        QTest::newRow("openai array body") << 0 << QByteArray("[1,2]") << false << QStringLiteral("JSON object");
        QTest::newRow("openai empty body") << 0 << QByteArray("") << false << QStringLiteral("empty");
        QTest::newRow("anthropic ok") << 1 << QByteArray(R"({"model":"claude","max_tokens":5,"messages":[]})") << true << QString();
        QTest::newRow("anthropic no model") << 1 << QByteArray(R"({"messages":[]})") << false << QStringLiteral("model");
        QTest::newRow("anthropic messages not array") << 1 << QByteArray(R"({"model":"c","messages":"x"})") << false << QStringLiteral("messages");
    }

    void parseRequest()
    {
        QFETCH(int, dialect);
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(QString, errorMentions);
        const Dialect &d = Dialect::forApi(dialect ? ApiDialect::Anthropic : ApiDialect::OpenAi);
        QString error;
        const auto r = d.parseRequest(body, &error);
        QCOMPARE(r.has_value(), ok);
        if (!ok)
            QVERIFY2(error.contains(errorMentions), qPrintable(error));
        else
            QVERIFY(r->promptEstimate > 0);
    }

    void openAiAsksForUsageOnlyWhenTheClientDidNot()
    {
        OpenAiDialect d;
        QString e;
        auto plain = d.parseRequest(R"({"model":"m","messages":[],"stream":true,"seed":12345678901234567})", &e);
        const QJsonObject sent = QJsonDocument::fromJson(d.upstreamBody(*plain)).object();
        QCOMPARE(sent.value("stream_options").toObject().value("include_usage").toBool(), true);
        auto asked = d.parseRequest(R"({"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}})", &e);
        QVERIFY(asked->clientWantsUsage);
        QVERIFY2(d.upstreamBody(*asked).isEmpty(), "the client's own bytes go up unchanged");
        auto whole = d.parseRequest(R"({"model":"m","messages":[]})", &e);
        QVERIFY(d.upstreamBody(*whole).isEmpty());
    }

    void outputLimitKey_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("maxTokens");
        QTest::addColumn<QByteArray>("key");
        QTest::newRow("openai none") << 0 << QByteArray(R"({"model":"m","messages":[]})") << qint64(-1) << QByteArray("max_tokens");
        QTest::newRow("openai null") << 0 << QByteArray(R"({"model":"m","messages":[],"max_tokens":null})") << qint64(-1) << QByteArray("max_tokens");
        QTest::newRow("openai max_tokens") << 0 << QByteArray(R"({"model":"m","messages":[],"max_tokens":300})") << qint64(300) << QByteArray("max_tokens");
        QTest::newRow("openai max_completion_tokens") << 0 << QByteArray(R"({"model":"m","messages":[],"max_completion_tokens":7})")
                                                      << qint64(7) << QByteArray("max_completion_tokens");
        QTest::newRow("openai both: the newer wins") << 0 << QByteArray(R"({"model":"m","messages":[],"max_tokens":9,"max_completion_tokens":7})")
                                                     << qint64(7) << QByteArray("max_completion_tokens");
        QTest::newRow("openai whole double") << 0 << QByteArray(R"({"model":"m","messages":[],"max_tokens":2.0e3})") << qint64(2000) << QByteArray("max_tokens");
        QTest::newRow("anthropic") << 1 << QByteArray(R"({"model":"c","messages":[],"max_tokens":64000})") << qint64(64000) << QByteArray("max_tokens");
        QTest::newRow("anthropic largest") << 1 << QByteArray(R"({"model":"c","messages":[],"max_tokens":2147483647})")
                                           << qint64(2147483647) << QByteArray("max_tokens");
    }

    void outputLimitKey()
    {
        QFETCH(int, dialect);
        QFETCH(QByteArray, body);
        QFETCH(qint64, maxTokens);
        QFETCH(QByteArray, key);
        const Dialect &d = Dialect::forApi(dialect ? ApiDialect::Anthropic : ApiDialect::OpenAi);
        QString error;
        auto r = d.parseRequest(body, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->maxTokens, maxTokens);
        QCOMPARE(r->outputLimitKey, key);
        QVERIFY2(d.upstreamBody(*r).isEmpty(), "nothing to change: the client's bytes go up");
        // A clamp writes the limit under that key and leaves no other output-limit key.
        r->forwardMaxTokens = 184;
        const QJsonObject sent = QJsonDocument::fromJson(d.upstreamBody(*r)).object();
        QCOMPARE(sent.value(QLatin1String(key)).toInteger(), 184);
        for (const char *other : {"max_tokens", "max_completion_tokens"}) {
            if (key != other)
                QVERIFY2(!sent.contains(QLatin1String(other)), other);
        }
        QCOMPARE(sent.value("model").toString(), r->model);
    }

    void outputLimitOutOfRange_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::addColumn<QByteArray>("limit");
        for (int dialect : {0, 1}) {
            for (const char *limit : {"1e22", "1e19", "-5", "0", "\"20000\"", "1.5", "true", "[]", "2147483648"})
                QTest::newRow(QByteArray(dialect ? "anthropic " : "openai ") + limit) << dialect << QByteArray(limit);
        }
    }

    void outputLimitOutOfRange()
    {
        QFETCH(int, dialect);
        QFETCH(QByteArray, limit);
        const Dialect &d = Dialect::forApi(dialect ? ApiDialect::Anthropic : ApiDialect::OpenAi);
        QString error;
        const auto r = d.parseRequest(R"({"model":"m","messages":[],"max_tokens":)" + limit + "}", &error);
        QVERIFY(!r);
        QVERIFY2(error.contains(QLatin1String("'max_tokens'")) && error.contains(QLatin1String("from 1 to 2147483647")), qPrintable(error));
        // Also when a valid key comes first: every key present is checked.
        if (!dialect) {
            QVERIFY(!d.parseRequest(R"({"model":"m","messages":[],"max_completion_tokens":5,"max_tokens":)" + limit + "}", &error));
            QVERIFY2(error.contains(QLatin1String("'max_tokens'")), qPrintable(error));
        }
    }

    void openAiMeterRemovesTheUsageChunkAndHoldsDone()
    {
        OpenAiDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"m","messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        const QByteArray stream = openAiDelta("Hel") + openAiDelta("lo") + openAiUsage(11, 2, 4) + "data: [DONE]\n\n";
        QByteArray out;
        for (char c : stream)
            out += meter->feed(QByteArray(1, c)); // split everywhere
        QCOMPARE(out, openAiDelta("Hel") + openAiDelta("lo"));
        QVERIFY(meter->sawTerminal());
        QCOMPARE(meter->takeTerminal(), QByteArray("data: [DONE]\n\n"));
        const TokenUsage u = meter->usage(999);
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 11);
        QCOMPARE(u.completionTokens, 2);
        QCOMPARE(u.cachedTokens, 4);
        QCOMPARE(meter->contentEvents(), 2);
    }

    void openAiReasoningTokensAreRead()
    {
        OpenAiDialect d;
        const TokenUsage u = d.usageFromResponse(R"({"usage":{"prompt_tokens":10,"completion_tokens":300,
            "completion_tokens_details":{"reasoning_tokens":256}}})");
        QCOMPARE(u.completionTokens, 300);
        QCOMPARE(u.reasoningTokens, 256);
        QCOMPARE(d.usageFromResponse(R"({"usage":{"prompt_tokens":1,"completion_tokens":2}})").reasoningTokens, 0);
    }

    void openAiMeterKeepsUsageForAClientThatAsked()
    {
        OpenAiDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"m","messages":[],"stream":true,"stream_options":{"include_usage":true}})", &e);
        auto meter = d.newStreamMeter(*r);
        QCOMPARE(meter->feed(openAiDelta("a") + openAiUsage(1, 1)), openAiDelta("a") + openAiUsage(1, 1));
    }

    void openAiMeterEstimatesWhenNoUsageCame()
    {
        OpenAiDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"m","messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        meter->feed(openAiDelta("one") + openAiDelta(" two") + openAiDelta(" three"));
        const TokenUsage u = meter->usage(42);
        QVERIFY(!u.reported);
        QCOMPARE(u.promptTokens, 42);
        QVERIFY(u.completionTokens >= 3);
    }

    void openAiMeterSeesErrorsAndStopsAtAMalformedChunk()
    {
        OpenAiDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"m","messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        const QByteArray bad = "data: {not json\n\n";
        // The good event before it passes; the broken one and all after it do not.
        QCOMPARE(meter->feed(openAiDelta("one") + bad + openAiDelta(" two")), openAiDelta("one"));
        QVERIFY(meter->sawMalformed());
        QVERIFY(meter->wasStopped());
        QCOMPARE(meter->feed(openAiDelta(" three")), QByteArray());
        meter = d.newStreamMeter(*r);
        meter->feed(d.streamErrorEvent(Dialect::Error::UpstreamError, QStringLiteral("boom")));
        QVERIFY(meter->sawError());
        QCOMPARE(meter->errorMessage(), QStringLiteral("boom"));
    }

    void anthropicMeterTakesInputFromStartAndOutputFromLastDelta()
    {
        AnthropicDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"c","max_tokens":9,"messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        QByteArray s;
        s += anthropic("message_start", QJsonObject{{"type", "message_start"}, {"message", QJsonObject{{"usage", QJsonObject{
            {"input_tokens", 20}, {"cache_read_input_tokens", 5}, {"cache_creation_input_tokens", 3}, {"output_tokens", 1}}}}}});
        s += anthropic("ping", QJsonObject{{"type", "ping"}});
        s += anthropic("content_block_delta", QJsonObject{{"type", "content_block_delta"}, {"delta", QJsonObject{{"type", "text_delta"}, {"text", "Hi"}}}});
        s += anthropic("message_delta", QJsonObject{{"type", "message_delta"}, {"usage", QJsonObject{{"output_tokens", 4}}}});
        s += anthropic("message_delta", QJsonObject{{"type", "message_delta"}, {"usage", QJsonObject{{"output_tokens", 7}}}});
        const QByteArray stop = anthropic("message_stop", QJsonObject{{"type", "message_stop"}});
        const QByteArray out = meter->feed(s + stop);
        QCOMPARE(out, s);
        QCOMPARE(meter->takeTerminal(), stop);
        const TokenUsage u = meter->usage(0);
        QCOMPARE(u.promptTokens, 28);
        QCOMPARE(u.cachedTokens, 5);
        QCOMPARE(u.completionTokens, 7); // cumulative: the last, not the sum
    }

    void openAiMeterKeepsTheAnswerTextOnly()
    {
        // The answer's text is kept for the loop detector; reasoning and tool-call arguments are
        // counted but not kept; the kept text stops at OutputTextChars.
        OpenAiDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"m","messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        const QByteArray reasoning = chunk(QJsonObject{{"choices", QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{"reasoning_content", "thinking hard"}}}}}}});
        const QByteArray tool = chunk(QJsonObject{{"choices", QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{"tool_calls", QJsonArray{
            QJsonObject{{"index", 0}, {"function", QJsonObject{{"name", "read_file"}, {"arguments", "{\"path\":\"a\"}"}}}}}}}}}}}});
        meter->feed(reasoning + openAiDelta("Hel") + tool + openAiDelta("lo"));
        QCOMPARE(meter->outputText(), QStringLiteral("Hello"));
        meter->feed(openAiDelta(QString(5000, u'x')) + openAiDelta("more"));
        QCOMPARE(meter->outputText().size(), StreamMeter::OutputTextChars);
        QVERIFY(meter->outputText().startsWith(QStringLiteral("Hellox")));
        QVERIFY(meter->countedCompletionTokens() > 1000); // counting goes on past the kept text
    }

    void outputTextOfWholeResponses()
    {
        OpenAiDialect openAi;
        QCOMPARE(openAi.outputText(R"({"choices":[{"index":0,"message":{"role":"assistant","content":"The answer is 42."}}]})"),
                 QStringLiteral("The answer is 42."));
        QCOMPARE(openAi.outputText(R"({"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}}]})"),
                 QString());
        QCOMPARE(openAi.outputText(R"({"choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"in parts"}]}}]})"),
                 QStringLiteral("in parts"));
        QCOMPARE(openAi.outputText("not json"), QString());
        AnthropicDialect anthropic;
        QCOMPARE(anthropic.outputText(R"({"type":"message","role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
            {"type":"text","text":"Let me read it. "},{"type":"tool_use","id":"toolu_1","name":"read_file","input":{"path":"a"}},{"type":"text","text":"Done."}]})"),
                 QStringLiteral("Let me read it. Done."));
        const QByteArray longText = QJsonDocument(QJsonObject{{"content", QJsonArray{QJsonObject{{"type", "text"}, {"text", QString(9000, u'y')}}}}}).toJson();
        QCOMPARE(anthropic.outputText(longText).size(), StreamMeter::OutputTextChars);
    }

    void anthropicMeterKeepsTheAnswerTextOnly()
    {
        AnthropicDialect d;
        QString e;
        auto r = d.parseRequest(R"({"model":"c","max_tokens":900,"messages":[],"stream":true})", &e);
        auto meter = d.newStreamMeter(*r);
        auto delta = [](const char *type, const char *key, const char *text) {
            return anthropic("content_block_delta", QJsonObject{{"type", "content_block_delta"}, {"delta", QJsonObject{{"type", type}, {key, text}}}});
        };
        meter->feed(delta("thinking_delta", "thinking", "Let me think") + delta("text_delta", "text", "I will read ")
                    + delta("input_json_delta", "partial_json", "{\"path\":") + delta("text_delta", "text", "the file."));
        QCOMPARE(meter->outputText(), QStringLiteral("I will read the file."));
    }

    void anthropicUsageFromResponse()
    {
        AnthropicDialect d;
        const TokenUsage u = d.usageFromResponse(R"({"usage":{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":2}})");
        QCOMPARE(u.promptTokens, 12);
        QCOMPARE(u.cachedTokens, 2);
        QCOMPARE(u.completionTokens, 3);
    }

    void errorShapes_data()
    {
        QTest::addColumn<int>("error");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("openAiType");
        QTest::addColumn<QString>("anthropicType");
        using E = Dialect::Error;
        QTest::newRow("400") << int(E::InvalidRequest) << 400 << "invalid_request_error" << "invalid_request_error";
        QTest::newRow("413") << int(E::RequestTooLarge) << 413 << "invalid_request_error" << "request_too_large";
        QTest::newRow("402") << int(E::BudgetExceeded) << 402 << "budget_exceeded" << "billing_error";
        QTest::newRow("429") << int(E::RateLimited) << 429 << "rate_limit_exceeded" << "rate_limit_error";
        QTest::newRow("403") << int(E::SessionBlocked) << 403 << "session_blocked" << "permission_error";
        QTest::newRow("503") << int(E::UpstreamUnavailable) << 503 << "upstream_unavailable" << "overloaded_error";
        QTest::newRow("503 store") << int(E::StoreUnavailable) << 503 << "store_unavailable" << "api_error";
        QTest::newRow("504") << int(E::UpstreamTimeout) << 504 << "upstream_timeout" << "api_error";
    }

    void errorShapes()
    {
        QFETCH(int, error);
        QFETCH(int, status);
        QFETCH(QString, openAiType);
        QFETCH(QString, anthropicType);
        const auto e = Dialect::Error(error);
        QCOMPARE(Dialect::statusOf(e), status);
        const QJsonObject o = QJsonDocument::fromJson(OpenAiDialect().errorBody(e, "m")).object().value("error").toObject();
        QCOMPARE(o.value("type").toString(), openAiType);
        QCOMPARE(o.value("message").toString(), QStringLiteral("m"));
        QVERIFY(o.contains("param") && o.contains("code"));
        const QJsonObject a = QJsonDocument::fromJson(AnthropicDialect().errorBody(e, "m")).object();
        QCOMPARE(a.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(a.value("error").toObject().value("type").toString(), anthropicType);
        QVERIFY(AnthropicDialect().streamErrorEvent(e, "m").startsWith("event: error\ndata: {"));
        QVERIFY(OpenAiDialect().streamErrorEvent(e, "m").startsWith("data: {\"error\""));
    }
};

QTEST_GUILESS_MAIN(tst_Dialect)
#include "tst_Dialect.moc"
