// Every endpoint metered, over real sockets: /v1/responses streamed (counted event by event, cut at
// a budget with the error events the SDKs raise on, the rest refused) and not, embeddings, legacy
// completions, and paths TokenFuse does not know, whose unreported usage is estimated and never
// handed back. The upstream is EndpointUpstream, on this thread; the gateway runs on its own.
#include "EndpointUpstream.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "TestSupport.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QtTest>

namespace {
struct Reply
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    bool done = false;
    QByteArray id() const { return headers.value("x-tokenfuse-request-id"); }
};

QByteArray responses(bool stream, const QJsonValue &input = QStringLiteral("Tell me a long story about a lighthouse."))
{
    return QJsonDocument(QJsonObject{{"model", "gpt-4.1"}, {"stream", stream}, {"input", input},
                                     {"instructions", "You are a storyteller."}})
        .toJson(QJsonDocument::Compact);
}

HttpHeaders steer(const QByteArray &session, std::initializer_list<std::pair<const char *, const char *>> fields = {})
{
    HttpHeaders h;
    h.add("x-session-id", session);
    for (const auto &f : fields)
        h.add(f.first, f.second);
    return h;
}

// The `type` of every event in a Responses stream, in order.
QStringList eventTypes(const QByteArray &body)
{
    QStringList types;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("data: "))
            types << QJsonDocument::fromJson(line.mid(6)).object().value("type").toString();
    }
    return types;
}
} // namespace

class tst_GatewayEndpoints : public QObject
{
    Q_OBJECT
private:
    EndpointUpstream m_upstream;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_gateway;
    QList<UsageRecord> m_recorded;

    Reply call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {}, const QByteArray &method = "POST")
    {
        const GatewayClient::Reply r = m_gateway->call(path, body, headers, method);
        return Reply{r.status, r.headers, r.body, r.done};
    }

    QSqlDatabase db()
    {
        QSqlDatabase d = QSqlDatabase::database(QStringLiteral("endpoints"), false);
        if (!d.isValid()) {
            d = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("endpoints"));
            d.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            d.open();
        }
        return d;
    }

    // The stored row of a request: column name -> value.
    QVariantMap row(const QByteArray &id)
    {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("select * from requests where id = ?"));
        q.addBindValue(QString::fromUtf8(id));
        q.exec();
        QVariantMap m;
        if (q.next()) {
            for (int i = 0; i < q.record().count(); ++i)
                m.insert(q.record().fieldName(i), q.value(i));
        }
        return m;
    }

    // What the ledger holds as spent for a session under the rule matching it.
    qint64 spentTokens(const QString &session)
    {
        qint64 tokens = -1;
        Gateway *g = m_host->gatewayForTests();
        QMetaObject::invokeMethod(g, [&] {
            const QJsonArray rules = g->ledger().usageJson();
            for (const QJsonValue &rule : rules)
                for (const QJsonValue &u : rule.toObject().value("usage").toArray())
                    if (u.toObject().value("subject").toString() == session)
                        tokens = u.toObject().value("spent").toObject().value("tokens").toInteger();
        }, Qt::BlockingQueuedConnection);
        return tokens;
    }

    UsageRecord recorded(const QByteArray &id)
    {
        for (const UsageRecord &r : std::as_const(m_recorded))
            if (r.id == QString::fromUtf8(id))
                return r;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        QVERIFY(m_upstream.port());
        const QString base = QStringLiteral("http://127.0.0.1:%1/v1").arg(m_upstream.port());
        QJsonObject json{{"upstreams", QJsonArray{QJsonObject{{"name", "provider"}, {"base_url", base}, {"models", QJsonArray{"*"}}}}},
                         {"default_max_tokens", 20},
                         {"budgets", QJsonArray{
                              QJsonObject{{"scope", "session"}, {"match", "cap-*"}, {"window", "total"}, {"max_tokens", 100}},
                              QJsonObject{{"scope", "session"}, {"match", "count-*"}, {"window", "total"}, {"max_tokens", 1000000}}}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_gateway = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
        connect(m_host->gatewayForTests(), &Gateway::requestRecorded, this, [this](const UsageRecord &r) { m_recorded << r; });
    }

    void cleanupTestCase()
    {
        m_host->stop();
    }

    void streamedResponsesAreCutAtTheSessionCapAndTheRestRefused()
    {
        // Five streamed calls of ~500 tokens each against a 100-token session cap.
        const int abortsBefore = m_upstream.clientAborts;
        const int finishedBefore = m_upstream.streamsFinished;
        QList<Reply> replies;
        for (int i = 0; i < 5; ++i)
            replies << call("/v1/responses", responses(true),
                            steer("cap-1", {{"x-up-output-tokens", "500"}, {"x-up-interval-ms", "2"}}));

        const Reply &first = replies.at(0);
        QCOMPARE(first.status, 200);
        const QStringList types = eventTypes(first.body);
        QVERIFY2(types.contains("response.output_text.delta"), first.body.left(400).constData());
        QVERIFY(!types.contains("response.completed"));
        // It ends with the error event the openai SDK raises on, then the response.failed Codex reads.
        QCOMPARE(types.mid(types.size() - 2), (QStringList{"error", "response.failed"}));
        QVERIFY(first.body.contains("event: error\ndata: "));
        const QList<QByteArray> lines = first.body.trimmed().split('\n');
        const QJsonObject failed = QJsonDocument::fromJson(lines.last().mid(6)).object();
        QCOMPARE(failed.value("response").toObject().value("error").toObject().value("code").toString(), QStringLiteral("budget_exceeded"));
        QVERIFY(failed.value("response").toObject().value("error").toObject().value("message").toString().contains("100"));
        QCOMPARE(failed.value("response").toObject().value("id").toString(), QStringLiteral("resp_0123456789abcdef"));
        const QJsonObject errorEvent = QJsonDocument::fromJson(lines.at(lines.size() - 4).mid(6)).object();
        QCOMPARE(errorEvent.value("error").toObject().value("code").toString(), QStringLiteral("budget_exceeded"));
        QCOMPARE(errorEvent.value("code").toString(), QStringLiteral("budget_exceeded"));
        // The events TokenFuse adds continue the stream's numbering.
        QCOMPARE(failed.value("sequence_number").toInteger(), errorEvent.value("sequence_number").toInteger() + 1);
        QCOMPARE(errorEvent.value("sequence_number").toInteger(), qint64(types.size() - 2));
        // The provider was stopped mid-answer.
        QTRY_COMPARE(m_upstream.clientAborts, abortsBefore + 1);
        QCOMPARE(m_upstream.streamsFinished, finishedBefore);

        const QVariantMap cut = row(first.id());
        QCOMPARE(cut.value("endpoint").toString(), QStringLiteral("/v1/responses"));
        QCOMPARE(cut.value("stream").toInt(), 1);
        QCOMPARE(cut.value("error").toString(), QStringLiteral("budget_exceeded"));
        QCOMPARE(cut.value("estimated").toInt(), 1);
        const qint64 used = cut.value("prompt_tokens").toLongLong() + cut.value("completion_tokens").toLongLong();
        QVERIFY2(used > 100 && used <= 101, qPrintable(QString::number(used)));
        // The client saw every counted delta but the one that crossed.
        QCOMPARE(types.count("response.output_text.delta"), cut.value("completion_tokens").toInt() - 1);

        for (int i = 1; i < 5; ++i) {
            const Reply &r = replies.at(i);
            QCOMPARE(r.status, 402);
            QCOMPARE(r.headers.value("x-should-retry"), QByteArray("false"));
            const QJsonObject e = QJsonDocument::fromJson(r.body).object().value("error").toObject();
            QCOMPARE(e.value("code").toString(), QStringLiteral("budget_exceeded"));
            QVERIFY2(e.value("message").toString().contains("100"), r.body.constData());
            // A refusal is answered before its row is written (nothing was spent): wait for it.
            QTRY_COMPARE(row(r.id()).value("status").toInt(), 402);
        }
        QCOMPARE(spentTokens("cap-1"), used);
    }

    void streamedResponsesStoreTheReportedUsage()
    {
        const Reply r = call("/v1/responses", responses(true),
                             steer("count-stream", {{"x-up-output-tokens", "30"}, {"x-up-input-tokens", "1200"},
                                                    {"x-up-cached-tokens", "1024"}, {"x-up-reasoning-tokens", "64"}}));
        QCOMPARE(r.status, 200);
        // The terminal event reaches the client, after the row is stored.
        QCOMPARE(eventTypes(r.body).last(), QStringLiteral("response.completed"));
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("stream").toInt(), 1);
        QCOMPARE(stored.value("estimated").toInt(), 0);
        QCOMPARE(stored.value("error").toString(), QString());
        QCOMPARE(stored.value("prompt_tokens").toLongLong(), 1200);
        QCOMPARE(stored.value("cached_tokens").toLongLong(), 1024);
        QCOMPARE(stored.value("completion_tokens").toLongLong(), 94);
        QTRY_COMPARE(recorded(r.id()).reasoningTokens, 64);
        QVERIFY(stored.value("ttft_ms").toLongLong() >= 0);
    }

    void nonStreamedResponsesStoreCachedAndReasoningTokens()
    {
        const Reply r = call("/v1/responses", responses(false, QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}),
                             steer("count-whole", {{"x-up-output-tokens", "5"}, {"x-up-input-tokens", "2048"},
                                                   {"x-up-cached-tokens", "1536"}, {"x-up-reasoning-tokens", "200"}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("object").toString(), QStringLiteral("response"));
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("stream").toInt(), 0);
        QCOMPARE(stored.value("prompt_tokens").toLongLong(), 2048);
        QCOMPARE(stored.value("cached_tokens").toLongLong(), 1536);
        QCOMPARE(stored.value("completion_tokens").toLongLong(), 205);
        QCOMPARE(stored.value("estimated").toInt(), 0);
        QTRY_COMPARE(recorded(r.id()).reasoningTokens, 200);
        QCOMPARE(spentTokens("count-whole"), 2048 + 205);
    }

    void badResponsesRequestIsRefusedInOpenAiShape()
    {
        const Reply r = call("/v1/responses", R"({"model":"gpt-4.1","input":42})", steer("count-bad"));
        QCOMPARE(r.status, 400);
        const QJsonObject e = QJsonDocument::fromJson(r.body).object().value("error").toObject();
        QCOMPARE(e.value("type").toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(e.value("message").toString().contains("'input'"));
        QCOMPARE(call("/v1/responses", {}, steer("count-bad"), "GET").status, 405);
    }

    void embeddingsAreMetered()
    {
        const Reply r = call("/v1/embeddings", R"({"model":"text-embedding-3-small","input":["one","two"]})",
                             steer("count-embed", {{"x-up-input-tokens", "7"}}));
        QCOMPARE(r.status, 200);
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("endpoint").toString(), QStringLiteral("/v1/embeddings"));
        QCOMPARE(stored.value("model").toString(), QStringLiteral("text-embedding-3-small"));
        QCOMPARE(stored.value("prompt_tokens").toLongLong(), 7);
        QCOMPARE(stored.value("completion_tokens").toLongLong(), 0);
        QCOMPARE(stored.value("estimated").toInt(), 0);
        QCOMPARE(spentTokens("count-embed"), 7);
        const Reply bad = call("/v1/embeddings", R"({"model":"text-embedding-3-small"})", steer("count-embed"));
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.body.contains("'input' is required"));
    }

    void streamedCompletionsAreMeteredLikeChat()
    {
        const Reply r = call("/v1/completions", R"({"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","stream":true})",
                             steer("count-legacy", {{"x-up-output-tokens", "9"}, {"x-up-input-tokens", "5"}}));
        QCOMPARE(r.status, 200);
        // TokenFuse asked for the usage itself, and the client, who did not, does not see it.
        QCOMPARE(m_upstream.lastBody.value("stream_options").toObject().value("include_usage").toBool(), true);
        QVERIFY(!r.body.contains("\"usage\""));
        QVERIFY(r.body.contains("data: [DONE]"));
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("stream").toInt(), 1);
        QCOMPARE(stored.value("prompt_tokens").toLongLong(), 5);
        QCOMPARE(stored.value("completion_tokens").toLongLong(), 9);
        QCOMPARE(stored.value("estimated").toInt(), 0);
        QCOMPARE(stored.value("endpoint").toString(), QStringLiteral("/v1/completions"));
    }

    void completionsWithoutUsageAreCountedFromTheirText()
    {
        const Reply r = call("/v1/completions", R"({"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","stream":true})",
                             steer("count-legacy-nousage", {{"x-up-output-tokens", "12"}, {"x-up-no-usage", "1"}}));
        QCOMPARE(r.status, 200);
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("estimated").toInt(), 1);
        QVERIFY(stored.value("completion_tokens").toLongLong() >= 12);
        QVERIFY(stored.value("prompt_tokens").toLongLong() > 0);
    }

    void unknownUsageIsEstimatedAndNeverHandedBack_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("sse");
        QTest::addColumn<int>("minCompletion");
        // An unknown path: the answer's text is estimated, 40 words of "abc" at least one token each.
        QTest::newRow("unknown json") << QByteArray("/v1/moderations/custom") << false << 40;
        // An unknown stream: what was relayed.
        QTest::newRow("unknown stream") << QByteArray("/v1/audio/custom") << true << 40;
        // A known stream whose upstream reported nothing: its deltas.
        QTest::newRow("responses without usage") << QByteArray("/v1/responses") << true << 40;
        QTest::newRow("responses whole without usage") << QByteArray("/v1/responses") << false << 40;
    }

    void unknownUsageIsEstimatedAndNeverHandedBack()
    {
        QFETCH(QByteArray, path);
        QFETCH(bool, sse);
        QFETCH(int, minCompletion);
        const QByteArray session = "count-unknown-" + QByteArray(QTest::currentDataTag()).replace(' ', '-');
        const Reply r = call(path, responses(sse),
                             steer(session, {{"x-up-output-tokens", "40"}, {"x-up-no-usage", "1"}, {"x-up-sse", sse ? "1" : "0"}}));
        QCOMPARE(r.status, 200);
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("estimated").toInt(), 1);
        QCOMPARE(stored.value("stream").toInt(), sse ? 1 : 0);
        QVERIFY2(stored.value("prompt_tokens").toLongLong() >= 10, qPrintable(stored.value("prompt_tokens").toString()));
        QVERIFY2(stored.value("completion_tokens").toLongLong() >= minCompletion, qPrintable(stored.value("completion_tokens").toString()));
        // Settled at the estimate: the budget keeps what the row says, not zero.
        QCOMPARE(spentTokens(QString::fromUtf8(session)),
                 stored.value("prompt_tokens").toLongLong() + stored.value("completion_tokens").toLongLong());
    }

    void countingInputTokensCostsNothing()
    {
        const Reply r = call("/v1/responses/input_tokens", responses(false), steer("count-input-tokens", {{"x-up-no-usage", "1"}}));
        QCOMPARE(r.status, 200);
        const QVariantMap stored = row(r.id());
        QCOMPARE(stored.value("prompt_tokens").toLongLong(), 0);
        QCOMPARE(stored.value("completion_tokens").toLongLong(), 0);
        QCOMPARE(stored.value("estimated").toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayEndpoints)
#include "tst_GatewayEndpoints.moc"
