// The gateway on its own thread, between a real client and the simulator on a third thread:
// routing, relaying chunk by chunk, aborts, upstream failures and limits, each in its dialect.
#include "GatewayUnderTest.h"
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"
#include "simulator/SimulatorServer.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

namespace {
struct Reply
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    QList<qint64> chunkTimes; // ms since the request was sent, one per piece received
    bool failed = false;
};
} // namespace

class tst_Gateway : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    quint16 m_simPort = 0;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    UpstreamClient m_client;
    QList<GatewaySnapshot> m_snapshots;

    template <typename T>
    T simulator(T (SimulatorServer::*getter)() const)
    {
        return m_sim->read(getter);
    }

    Reply call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {}, QByteArray method = "POST")
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
        r.method = method;
        r.body = body;
        r.headers = headers;
        r.headers.add("content-type", "application/json");
        std::unique_ptr<UpstreamCall> c(m_client.start(r));
        Reply reply;
        bool done = false;
        QElapsedTimer t;
        t.start();
        connect(c.get(), &UpstreamCall::responseStarted, this, [&](int s, const HttpHeaders &h) { reply.status = s; reply.headers = h; });
        connect(c.get(), &UpstreamCall::dataReceived, this, [&](const QByteArray &d) { reply.body += d; reply.chunkTimes << t.elapsed(); });
        connect(c.get(), &UpstreamCall::finished, this, [&] { done = true; });
        connect(c.get(), &UpstreamCall::failed, this, [&](UpstreamCall::Failure, const QString &) { reply.failed = true; done = true; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 20000); }();
        return reply;
    }

    QSqlQuery row(const QByteArray &id)
    {
        QSqlDatabase db = QSqlDatabase::database(QStringLiteral("tst_Gateway"), false);
        if (!db.isValid()) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst_Gateway"));
            db.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            db.open();
        }
        QSqlQuery q(db);
        q.prepare(QStringLiteral("select status, error, prompt_tokens, completion_tokens, estimated, upstream, session, tenant, cost_micros from requests where id = ?"));
        q.addBindValue(QString::fromUtf8(id));
        q.exec();
        return q;
    }

    static QByteArray chat(const char *model, bool stream)
    {
        return QJsonDocument(QJsonObject{{"model", model}, {"stream", stream}, {"max_tokens", 32},
                                         {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hello there"}}}}})
            .toJson(QJsonDocument::Compact);
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        m_sim = std::make_unique<SimulatorThread>();
        m_simPort = m_sim->port();
        QVERIFY(m_simPort);

        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_simPort);
        // This suite injects one upstream failure after another to see each as a client does: one
        // attempt each, and breakers that never open. Retries, failover and breakers have tests
        // of their own (tst_GatewayFailover).
        const QJsonObject patient{{"consecutive", 1000000}, {"min_requests", 1000000}};
        QJsonObject json{{"upstreams", QJsonArray{
            QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"}, {"models", QJsonArray{"gpt-*", "deepseek-*"}},
                        {"timeouts_ms", QJsonObject{{"first_byte", 2000}, {"idle", 2000}}}, {"breaker", patient}},
            QJsonObject{{"name", "sim-anthropic"}, {"base_url", sim}, {"dialect", "anthropic"}, {"models", QJsonArray{"claude-*"}},
                        {"breaker", patient}},
            QJsonObject{{"name", "nowhere"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(TestSupport::freePort())},
                        {"models", QJsonArray{"dead-*"}}, {"breaker", patient}}}},
                        {"retries", QJsonObject{{"max_attempts", 1}}},
                        {"limits", QJsonObject{{"max_header_bytes", 4096}, {"max_body_bytes", 65536}}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        connect(m_host, &GatewayHost::snapshotReady, this, [this](const GatewaySnapshot &s) { m_snapshots << s; });
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        QVERIFY(m_port);
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_sim.reset();
    }

    void gatewayRunsOnItsOwnThread()
    {
        QThread *thread = nullptr;
        Gateway *g = m_host->gatewayForTests();
        QVERIFY(g);
        QMetaObject::invokeMethod(g, [&] { thread = QThread::currentThread(); }, Qt::BlockingQueuedConnection);
        QVERIFY(thread != QThread::currentThread());
        QCOMPARE(g->thread(), thread);
    }

    void nonStreamedChatIsForwardedAndStored()
    {
        HttpHeaders h;
        h.add("x-tenant-id", "t1");
        h.add("x-session-id", "s1");
        const Reply r = call("/v1/chat/completions", chat("gpt-4o-mini", false), h);
        QCOMPARE(r.status, 200);
        const QJsonObject usage = QJsonDocument::fromJson(r.body).object().value("usage").toObject();
        QVERIFY(usage.value("completion_tokens").toInt() > 0);
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 200);
        QCOMPARE(q.value(2).toInt(), usage.value("prompt_tokens").toInt());
        QCOMPARE(q.value(3).toInt(), usage.value("completion_tokens").toInt());
        QCOMPARE(q.value(5).toString(), QStringLiteral("sim-openai"));
        QCOMPARE(q.value(6).toString(), QStringLiteral("s1"));
        QCOMPARE(q.value(7).toString(), QStringLiteral("t1"));
    }

    // Without X-Session-ID the agent's own session header names the session, end to end.
    void agentSessionHeadersNameTheSession_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("model");
        QTest::newRow("claude code") << QByteArray("/v1/messages") << QByteArray("x-claude-code-session-id") << QByteArray("claude-sonnet-4-6");
        QTest::newRow("codex") << QByteArray("/v1/chat/completions") << QByteArray("session-id") << QByteArray("gpt-4o");
        QTest::newRow("older codex") << QByteArray("/v1/chat/completions") << QByteArray("session_id") << QByteArray("gpt-4o");
    }

    void agentSessionHeadersNameTheSession()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, model);
        const QByteArray session = "agent-" + header + "-7f3a";
        HttpHeaders h;
        h.add(header, session);
        const Reply r = call(path, chat(model.constData(), false), h);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenfuse-session"), session);
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.next());
        QCOMPARE(q.value(6).toString(), QString::fromUtf8(session));
    }

    void streamIsRelayedChunkByChunk()
    {
        HttpHeaders h;
        h.add("x-sim-ttft-ms", "50");
        h.add("x-sim-tokens-per-second", "50"); // 20 ms apart
        h.add("x-sim-completion-tokens", "10");
        const Reply r = call("/v1/chat/completions", chat("gpt-4o", true), h);
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.endsWith("data: [DONE]\n\n"));
        // Ten tokens 20 ms apart must arrive spread out, not in one piece at the end.
        QVERIFY2(r.chunkTimes.size() >= 8, qPrintable(QString::number(r.chunkTimes.size())));
        QVERIFY(r.chunkTimes.last() - r.chunkTimes.first() >= 120);
        QVERIFY(!r.body.contains("\"choices\":[]"));
    }

    void anthropicGoesToTheAnthropicUpstream()
    {
        const Reply r = call("/v1/messages", chat("claude-sonnet-4-5", true));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("event: message_stop"));
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.next());
        QCOMPARE(q.value(5).toString(), QStringLiteral("sim-anthropic"));
        QVERIFY(q.value(3).toInt() > 0);
    }

    void clientDisconnectAbortsTheUpstream()
    {
        const quint64 abortsBefore = simulator(&SimulatorServer::clientAborts);
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_port));
        r.body = chat("gpt-4o", true);
        r.headers.add("content-type", "application/json");
        r.headers.add("x-sim-tokens-per-second", "20");
        r.headers.add("x-sim-completion-tokens", "1000");
        UpstreamCall *c = m_client.start(r);
        int pieces = 0;
        connect(c, &UpstreamCall::dataReceived, this, [&pieces] { ++pieces; });
        QTRY_VERIFY(pieces >= 2);
        c->abort();
        delete c;
        QTRY_COMPARE(simulator(&SimulatorServer::clientAborts), abortsBefore + 1);
        QTRY_COMPARE(simulator(&SimulatorServer::streamsOpen), 0);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("fault");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::newRow("openai unknown model") << QByteArray("/v1/chat/completions") << chat("mystery-1", false) << QByteArray() << 404 << "not_found_error";
        QTest::newRow("anthropic unknown model") << QByteArray("/v1/messages") << chat("gpt-4o", false) << QByteArray() << 404 << "not_found_error";
        QTest::newRow("openai upstream down") << QByteArray("/v1/chat/completions") << chat("dead-1", false) << QByteArray() << 502 << "upstream_error";
        QTest::newRow("openai upstream hangs") << QByteArray("/v1/chat/completions") << chat("gpt-4o", false) << QByteArray("hang") << 504 << "upstream_timeout";
        QTest::newRow("openai malformed json") << QByteArray("/v1/chat/completions") << QByteArray("{oops") << QByteArray() << 400 << "invalid_request_error";
        QTest::newRow("anthropic malformed json") << QByteArray("/v1/messages") << QByteArray("{oops") << QByteArray() << 400 << "invalid_request_error";
        QTest::newRow("openai body too large") << QByteArray("/v1/chat/completions") << QByteArray(70000, ' ') << QByteArray() << 413 << "invalid_request_error";
        QTest::newRow("anthropic body too large") << QByteArray("/v1/messages") << QByteArray(70000, ' ') << QByteArray() << 413 << "request_too_large";
        QTest::newRow("upstream 503 passes through") << QByteArray("/v1/chat/completions") << chat("gpt-4o", false) << QByteArray("status:503") << 503 << "";
    }

    void errors()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, fault);
        QFETCH(int, status);
        QFETCH(QString, type);
        HttpHeaders h;
        if (!fault.isEmpty())
            h.add("x-sim-fault", fault);
        const Reply r = call(path, body, h);
        QCOMPARE(r.status, status);
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        if (path.startsWith("/v1/messages")) {
            QCOMPARE(o.value("type").toString(), QStringLiteral("error"));
            if (!type.isEmpty())
                QCOMPARE(o.value("error").toObject().value("type").toString(), type);
        } else if (!type.isEmpty()) {
            QCOMPARE(o.value("error").toObject().value("type").toString(), type);
        }
        QVERIFY(!o.value("error").toObject().value("message").toString().isEmpty());
    }

    // Every refusal made before an exchange exists: x-should-retry as PRODUCT.md's table says, a
    // request id, and a row (status, error kind, endpoint, model, tenant, session) for the console.
    void refusalsAreAnsweredAndRecorded_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("model");
        QTest::newRow("openai unknown tf- key") << QByteArray("POST") << QByteArray("/v1/chat/completions") << chat("gpt-4o", false)
                                               << QByteArray("tf-nosuchkey") << 401 << "invalid_api_key" << "gpt-4o";
        QTest::newRow("anthropic unknown tf- key") << QByteArray("POST") << QByteArray("/v1/messages") << chat("claude-x", false)
                                                  << QByteArray("tf-nosuchkey") << 401 << "invalid_api_key" << "claude-x";
        QTest::newRow("passthrough unknown tf- key") << QByteArray("POST") << QByteArray("/v1/embeddings")
                                                    << QByteArray(R"({"model":"gpt-e","input":"x"})") << QByteArray("tf-nosuchkey")
                                                    << 401 << "invalid_api_key" << "gpt-e";
        QTest::newRow("no upstream for the model") << QByteArray("POST") << QByteArray("/v1/chat/completions") << chat("mystery-1", false)
                                                  << QByteArray() << 404 << "not_found" << "mystery-1";
        QTest::newRow("malformed json") << QByteArray("POST") << QByteArray("/v1/messages") << QByteArray("{oops")
                                       << QByteArray() << 400 << "invalid_request" << "";
        QTest::newRow("missing messages") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray(R"({"model":"gpt-4o"})")
                                         << QByteArray() << 400 << "invalid_request" << "gpt-4o";
        QTest::newRow("wrong method") << QByteArray("GET") << QByteArray("/v1/chat/completions") << QByteArray()
                                     << QByteArray() << 405 << "method_not_allowed" << "";
        QTest::newRow("wrong method, anthropic") << QByteArray("GET") << QByteArray("/v1/messages") << QByteArray()
                                                << QByteArray() << 405 << "method_not_allowed" << "";
        QTest::newRow("wrong method, responses") << QByteArray("DELETE") << QByteArray("/v1/responses") << QByteArray()
                                                << QByteArray() << 405 << "method_not_allowed" << "";
        QTest::newRow("nothing at the path") << QByteArray("POST") << QByteArray("/nowhere") << QByteArray()
                                            << QByteArray() << 404 << "not_found" << "";
    }

    void refusalsAreAnsweredAndRecorded()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, key);
        QFETCH(int, status);
        QFETCH(QString, kind);
        QFETCH(QString, model);
        HttpHeaders h;
        h.add("x-tenant-id", "refused-tenant");
        h.add("x-session-id", "refused-session");
        if (!key.isEmpty())
            h.add("authorization", "Bearer " + key);
        const Reply r = call(path, body, h, method);
        QCOMPARE(r.status, status);
        // Every one of these is final: an SDK must raise it, not retry it.
        QCOMPARE(r.headers.value("x-should-retry"), QByteArray("false"));
        const QByteArray id = r.headers.value("x-tokenfuse-request-id");
        QVERIFY2(id.startsWith("tfr_"), id.constData());
        QCOMPARE(r.headers.value("x-tokenfuse-session"), QByteArray("refused-session"));
        const QJsonObject error = QJsonDocument::fromJson(r.body).object().value("error").toObject();
        QVERIFY(!error.value("message").toString().isEmpty());
        if (status == 405) {
            QCOMPARE(r.headers.value("allow"), QByteArray("POST"));
            QCOMPARE(error.value("message").toString(), QStringLiteral("%1 takes POST, not %2.").arg(QString::fromUtf8(path), QString::fromUtf8(method)));
        }

        // Not waited for by the answer (nothing was spent): poll until the writer has committed it.
        QSqlDatabase db = QSqlDatabase::database(QStringLiteral("tst_Gateway"), false);
        if (!db.isValid())
            row(id); // opens the connection
        db = QSqlDatabase::database(QStringLiteral("tst_Gateway"));
        auto stored = [&] {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("select status, error, endpoint, model, tenant, session, upstream, cost_micros from requests where id = ?"));
            q.addBindValue(QString::fromUtf8(id));
            q.exec();
            return q.next() ? QVariantList{q.value(0), q.value(1), q.value(2), q.value(3), q.value(4), q.value(5), q.value(6), q.value(7)}
                            : QVariantList();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!stored().isEmpty(), 5000);
        const QVariantList v = stored();
        QCOMPARE(v.at(0).toInt(), status);
        QCOMPARE(v.at(1).toString(), kind);
        QCOMPARE(v.at(2).toString(), QString::fromUtf8(path));
        QCOMPARE(v.at(3).toString(), model);
        QCOMPARE(v.at(4).toString(), QStringLiteral("refused-tenant"));
        QCOMPARE(v.at(5).toString(), QStringLiteral("refused-session"));
        QCOMPARE(v.at(6).toString(), QString());
        QCOMPARE(v.at(7).toLongLong(), 0);
    }

    void upstreamVanishingMidStreamEndsWithAnErrorEvent()
    {
        HttpHeaders h;
        h.add("x-sim-fault", "disconnect:3");
        const Reply r = call("/v1/chat/completions", chat("gpt-4o", true), h);
        QCOMPARE(r.status, 200);
        QVERIFY(!r.body.contains("[DONE]"));
        const QByteArray last = r.body.trimmed().split('\n').last();
        QVERIFY2(last.startsWith("data: {\"error\""), last.constData());
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.next());
        QCOMPARE(q.value(1).toString(), QStringLiteral("upstream_disconnected"));
        QVERIFY(q.value(3).toInt() >= 3);
    }

    void headersTooLargeInTheCallersDialect()
    {
        HttpHeaders h;
        h.add("x-filler", QByteArray(5000, 'a'));
        const Reply r = call("/v1/messages", chat("claude-x", false), h);
        QCOMPARE(r.status, 431);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("type").toString(), QStringLiteral("error"));
    }

    void healthAndModels()
    {
        const Reply health = call("/healthz", {}, {}, "GET");
        QCOMPARE(health.status, 200);
        QCOMPARE(QJsonDocument::fromJson(health.body).object().value("status").toString(), QStringLiteral("ok"));
        const Reply models = call("/v1/models", {}, {}, "GET");
        QCOMPARE(models.status, 200);
        QVERIFY(!QJsonDocument::fromJson(models.body).object().value("data").toArray().isEmpty());
    }

    void otherV1PathsAreForwardedAndCounted()
    {
        const Reply r = call("/v1/messages/count_tokens", R"({"model":"claude-x","messages":[{"role":"user","content":"hi"}]})");
        QCOMPARE(r.status, 200);
        QVERIFY(QJsonDocument::fromJson(r.body).object().value("input_tokens").toInt() > 0);
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.next());
    }

    void snapshotsCountRequests()
    {
        m_snapshots.clear();
        call("/v1/chat/completions", chat("gpt-4o-mini", false));
        QTRY_VERIFY(!m_snapshots.isEmpty());
        const GatewaySnapshot s = m_snapshots.last();
        QCOMPARE(s.state, GatewaySnapshot::State::Running);
        QVERIFY(s.requestsTotal >= 1);
        QVERIFY(s.promptTokens > 0 && s.completionTokens > 0);
        QVERIFY(s.costMicros > 0);
        QCOMPARE(s.upstreams, (QStringList{"sim-openai", "sim-anthropic", "nowhere"}));
        QVERIFY(!s.simulatorOnly);
    }
};

QTEST_GUILESS_MAIN(tst_Gateway)
#include "tst_Gateway.moc"
