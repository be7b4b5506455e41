// Legacy completions: "prompt" and max_tokens read, usage asked for and hidden like chat's, and
// the streamed choices[].text counted.
#include "dialect/CompletionsDialect.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

class tst_CompletionsDialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseRequest_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::newRow("string prompt") << QByteArray(R"({"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","max_tokens":7})") << true;
        QTest::newRow("prompt list") << QByteArray(R"({"model":"gpt-3.5-turbo-instruct","prompt":["a","b"]})") << true;
        QTest::newRow("no prompt") << QByteArray(R"({"model":"gpt-3.5-turbo-instruct"})") << false;
        QTest::newRow("no model") << QByteArray(R"({"prompt":"Say hi"})") << false;
    }

    void parseRequest()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QString error;
        const auto r = CompletionsDialect().parseRequest(body, &error);
        QCOMPARE(r.has_value(), ok);
        if (ok) {
            QVERIFY(r->promptEstimate > 0);
        } else {
            QVERIFY(error.contains("'prompt'") || error.contains("'model'"));
        }
        if (QByteArray(QTest::currentDataTag()) == "string prompt")
            QCOMPARE(r->maxTokens, 7);
    }

    void streamIsCountedAndTheUsageChunkHidden()
    {
        CompletionsDialect d;
        QString error;
        const auto r = d.parseRequest(R"({"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","stream":true})", &error);
        QCOMPARE(QJsonDocument::fromJson(d.upstreamBody(*r)).object().value("stream_options").toObject().value("include_usage").toBool(), true);
        auto meter = d.newStreamMeter(*r);
        const QByteArray text = R"(data: {"id":"cmpl-1","object":"text_completion","choices":[{"text":"Hello there","index":0,"finish_reason":null}]}

)";
        const QByteArray usage = R"(data: {"id":"cmpl-1","object":"text_completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}

)";
        QCOMPARE(meter->feed(text), text);
        QCOMPARE(meter->contentEvents(), 1);
        QVERIFY(meter->countedCompletionTokens() >= 2);
        QVERIFY(meter->feed(usage).isEmpty());
        QVERIFY(meter->feed("data: [DONE]\n\n").isEmpty());
        QCOMPARE(meter->takeTerminal(), QByteArray("data: [DONE]\n\n"));
        const TokenUsage u = meter->usage(100);
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 3);
        QCOMPARE(u.completionTokens, 2);
        QCOMPARE(meter->outputText(), QStringLiteral("Hello there"));
    }

    void outputTextOfAWholeResponse()
    {
        CompletionsDialect d;
        QCOMPARE(d.outputText(R"({"object":"text_completion","choices":[{"text":" upon a time","index":0,"finish_reason":"length"}]})"),
                 QStringLiteral(" upon a time"));
    }
};

QTEST_GUILESS_MAIN(tst_CompletionsDialect)
#include "tst_CompletionsDialect.moc"
