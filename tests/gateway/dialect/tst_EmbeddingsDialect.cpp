// Embeddings: "input" required, no output tokens in the worst case, prompt_tokens as the usage.
#include "dialect/EmbeddingsDialect.h"

#include <QtTest>

class tst_EmbeddingsDialect : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseRequest()
    {
        EmbeddingsDialect d;
        QString error;
        const auto r = d.parseRequest(R"({"model":"text-embedding-3-small","input":["one two three","four"]})", &error);
        QVERIFY(r);
        QCOMPARE(r->maxTokens, 0);
        QVERIFY(!r->stream);
        QVERIFY(r->promptEstimate >= 4);
        QVERIFY(!d.parseRequest(R"({"model":"text-embedding-3-small"})", &error));
        QVERIFY2(error.contains("'input' is required"), qPrintable(error));
    }

    void usageIsThePromptAlone()
    {
        const TokenUsage u = EmbeddingsDialect().usageFromResponse(
            R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}})");
        QVERIFY(u.reported);
        QCOMPARE(u.promptTokens, 8);
        QCOMPARE(u.completionTokens, 0);
    }
};

QTEST_GUILESS_MAIN(tst_EmbeddingsDialect)
#include "tst_EmbeddingsDialect.moc"
