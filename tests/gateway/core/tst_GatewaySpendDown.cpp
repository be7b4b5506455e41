// Spend down, never overshoot, over real sockets with the simulator (which honours max_tokens) as
// the upstream, in both dialects: the output limit is clamped to what a budget has left (and
// injected where the client sent none), the response and the row say so, the budget is spent
// down across requests and then refuses; an output limit that is not a whole number in range is
// a 400 naming the field.
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"
#include "simulator/SimulatorServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

namespace {
using Reply = GatewayClient::Reply;

const QByteArray Chat = "/v1/chat/completions";
const QByteArray Messages = "/v1/messages";

// A request with `limit` spliced in as raw JSON text (so 1e22 reaches the gateway as written);
// an empty limit sends none.
QByteArray request(const QByteArray &path, bool stream, const QByteArray &limit, const QByteArray &key = "max_tokens")
{
    const QByteArray model = path == Messages ? "claude-sonnet-4-5" : "gpt-4o-mini";
    QByteArray body = R"({"model":")" + model + R"(","stream":)" + (stream ? "true" : "false")
        + R"(,"messages":[{"role":"user","content":"Tell me a long story."}])";
    if (stream && path != Messages)
        body += R"(,"stream_options":{"include_usage":true})";
    if (!limit.isEmpty())
        body += ",\"" + key + "\":" + limit;
    return body + '}';
}

HttpHeaders caller(const QByteArray &session, int simTokens)
{
    HttpHeaders h;
    h.add("x-session-id", session);
    h.add("x-tenant-id", "spend");
    h.add("x-sim-completion-tokens", QByteArray::number(simTokens));
    h.add("x-sim-tokens-per-second", "0");
    return h;
}

// Completion tokens of a whole response or of a stream's usage, in either dialect.
qint64 completionOf(const QByteArray &body, bool stream)
{
    if (!stream) {
        const QJsonObject usage = QJsonDocument::fromJson(body).object().value("usage").toObject();
        return usage.value(usage.contains("output_tokens") ? "output_tokens" : "completion_tokens").toInteger(-1);
    }
    qint64 last = -1;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.startsWith("data: {"))
            continue;
        const QJsonObject usage = QJsonDocument::fromJson(line.mid(6)).object().value("usage").toObject();
        if (usage.contains("output_tokens"))
            last = usage.value("output_tokens").toInteger();
        else if (usage.contains("completion_tokens"))
            last = usage.value("completion_tokens").toInteger();
    }
    return last;
}
// An upstream for endpoints the simulator does not serve: keeps the body of each request and
// answers a whole JSON response with usage.
class CaptureUpstream : public QTcpServer
{
public:
    QList<QByteArray> bodies;

    CaptureUpstream()
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = nextPendingConnection();
            auto *buffer = new QByteArray;
            connect(socket, &QTcpSocket::disconnected, socket, [socket, buffer] { delete buffer; socket->deleteLater(); });
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                *buffer += socket->readAll();
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const qsizetype at = buffer->toLower().indexOf("content-length:");
                const qsizetype length = at < 0 ? 0 : buffer->mid(at + 15, buffer->indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
                if (buffer->size() < end + 4 + length)
                    return;
                bodies << buffer->mid(end + 4, length);
                buffer->remove(0, end + 4 + length);
                const QByteArray answer = R"({"id":"cmpl-1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}})";
                socket->write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                              + QByteArray::number(answer.size()) + "\r\n\r\n" + answer);
            });
        });
    }
};
} // namespace

class tst_GatewaySpendDown : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<GatewayClient> m_client;
    CaptureUpstream m_capture;

    void setBudgets(const QJsonArray &rules)
    {
        const Reply r = m_client->admin("PUT", "budgets", rules);
        QVERIFY2(r.status == 200, r.body.constData());
    }

    QSqlQuery row(const QByteArray &id)
    {
        QSqlDatabase db = QSqlDatabase::database(QStringLiteral("spend"), false);
        if (!db.isValid()) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("spend"));
            db.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            db.open();
        }
        QSqlQuery q(db);
        q.prepare(QStringLiteral("select prompt_tokens, completion_tokens, clamped_max_tokens, status, error "
                                 "from requests where id = ?"));
        q.addBindValue(QString::fromUtf8(id));
        q.exec();
        q.next();
        return q;
    }

    quint64 served() { return m_sim->read(&SimulatorServer::requestsServed); }

private Q_SLOTS:
    void initTestCase()
    {
        m_sim = std::make_unique<SimulatorThread>();
        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_sim->port());
        // default_max_tokens stays at its default of 4096: more than the caps below.
        const QJsonObject json{{"upstreams", QJsonArray{
            QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"}, {"models", QJsonArray{"gpt-*"}}},
            QJsonObject{{"name", "sim-anthropic"}, {"base_url", sim}, {"dialect", "anthropic"}, {"models", QJsonArray{"claude-*"}}},
            QJsonObject{{"name", "capture"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(m_capture.serverPort())},
                        {"models", QJsonArray{"capture-*"}}}}},
            {"rate_limits", QJsonArray{QJsonObject{{"scope", "session"}, {"match", "rate-*"}, {"rpm", 1}}}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        const quint16 port = GatewayUnderTest::start(m_host);
        QVERIFY(port != 0);
        m_client = std::make_unique<GatewayClient>(port, m_dataDir.path());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_host->stop();
        m_sim.reset();
    }

    void perRequestCapClampsTheAnswer_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QByteArray>("limit");
        QTest::addColumn<QByteArray>("key");
        QTest::newRow("chat whole") << Chat << false << QByteArray("600") << QByteArray("max_tokens");
        QTest::newRow("chat whole, max_completion_tokens") << Chat << false << QByteArray("600") << QByteArray("max_completion_tokens");
        QTest::newRow("chat whole, none sent") << Chat << false << QByteArray() << QByteArray("max_tokens");
        QTest::newRow("chat stream") << Chat << true << QByteArray("600") << QByteArray("max_tokens");
        QTest::newRow("messages whole") << Messages << false << QByteArray("64000") << QByteArray("max_tokens");
        QTest::newRow("messages stream") << Messages << true << QByteArray("64000") << QByteArray("max_tokens");
    }

    // Finding 2: a per-request cap of 100 tokens let a 511-token answer through.
    void perRequestCapClampsTheAnswer()
    {
        QFETCH(QByteArray, path);
        QFETCH(bool, stream);
        QFETCH(QByteArray, limit);
        QFETCH(QByteArray, key);
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "one-*"}, {"window", "request"},
                                          {"max_tokens", 100}, {"name", "one-shot cap"}}});
        const Reply r = m_client->call(path, request(path, stream, limit, key), caller("one-" + QByteArray(QTest::currentDataTag()).replace(' ', '-'), 511));
        QCOMPARE(r.status, 200);
        const QByteArray clamped = r.headers.value("x-tokenfuse-max-tokens-clamped");
        QVERIFY2(!clamped.isEmpty(), r.body.left(300).constData());
        const qint64 forwarded = clamped.split(';').at(0).toLongLong();
        QVERIFY2(forwarded >= 16 && forwarded < 100, clamped.constData());
        QCOMPARE(clamped, QByteArray::number(forwarded) + "; requested=" + (limit.isEmpty() ? QByteArray("none") : limit)
                              + "; rule=\"one-shot cap\"");
        // The simulator was asked for at most that, and answered exactly that much.
        QCOMPARE(completionOf(r.body, stream), forwarded);
        if (stream)
            QVERIFY2(!r.body.contains("budget_exceeded"), "a clamped stream ends normally, it is not cut");
        QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
        QVERIFY(q.isValid());
        QCOMPARE(q.value(2).toLongLong(), forwarded);
        QCOMPARE(q.value(1).toLongLong(), forwarded);
        QVERIFY2(q.value(0).toLongLong() + q.value(1).toLongLong() <= 100,
                 qPrintable(QStringLiteral("%1 + %2 tokens under a cap of 100").arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong())));
        QVERIFY(q.value(4).toString().isEmpty());
    }

    void roomyCapLeavesTheRequestAlone()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "roomy-*"}, {"window", "day"}, {"max_tokens", 100000}}});
        const Reply r = m_client->call(Chat, request(Chat, false, "50"), caller("roomy-1", 511));
        QCOMPARE(r.status, 200);
        QVERIFY(!r.headers.contains("x-tokenfuse-max-tokens-clamped"));
        QCOMPARE(completionOf(r.body, false), 50);
        QCOMPARE(row(r.headers.value("x-tokenfuse-request-id")).value(2).toLongLong(), 0);
    }

    // No limit sent and the default fits: the reservation assumed default_max_tokens, so the
    // upstream is held to it, or a whole answer could run past the cap (an answer of 5,000 tokens
    // under a 6,000-token cap that reserved 4,096).
    void noLimitSentIsHeldToTheDefaultUnderACap()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "dflt-*"}, {"window", "total"}, {"max_tokens", 6000}}});
        const Reply r = m_client->call(Chat, request(Chat, false, QByteArray()), caller("dflt-1", 5000));
        QCOMPARE(r.status, 200);
        QCOMPARE(completionOf(r.body, false), 4096);
        QCOMPARE(r.headers.value("x-tokenfuse-max-tokens-clamped"), QByteArray("4096; requested=none; rule=\"default_max_tokens\""));
        QCOMPARE(row(r.headers.value("x-tokenfuse-request-id")).value(2).toLongLong(), 4096);
        // Without a budget nothing is injected: the client's own choice stands.
        const Reply free = m_client->call(Chat, request(Chat, false, QByteArray()), caller("nobudget-1", 5000));
        QCOMPARE(free.status, 200);
        QCOMPARE(completionOf(free.body, false), 5000);
        QVERIFY(!free.headers.contains("x-tokenfuse-max-tokens-clamped"));
    }

    void sessionCapIsSpentDownThenRefuses_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("limit");
        // Finding 3: without max_tokens the 4096 default is reserved; Claude Code asks for 64000.
        QTest::newRow("chat, no max_tokens") << Chat << QByteArray();
        QTest::newRow("chat, max_tokens 64000") << Chat << QByteArray("64000");
        QTest::newRow("messages, max_tokens 64000") << Messages << QByteArray("64000");
        QTest::newRow("messages, stream, max_tokens 128000") << Messages << QByteArray("128000");
    }

    void sessionCapIsSpentDownThenRefuses()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, limit);
        const bool stream = QByteArray(QTest::currentDataTag()).contains("stream");
        const QByteArray session = "down-" + QByteArray(QTest::currentDataTag()).replace(' ', '-');
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "down-*"}, {"window", "total"}, {"max_tokens", 300}}});
        qint64 spent = 0;
        int servedCount = 0;
        Reply r;
        for (int i = 0; i < 10; ++i) {
            // Answers shorter than the cap, so it takes more than one request to spend it.
            r = m_client->call(path, request(path, stream, limit), caller(session, 120));
            if (r.status != 200)
                break;
            ++servedCount;
            QSqlQuery q = row(r.headers.value("x-tokenfuse-request-id"));
            spent += q.value(0).toLongLong() + q.value(1).toLongLong();
            QVERIFY2(!r.headers.value("x-tokenfuse-max-tokens-clamped").isEmpty(), "every request here asks for more than is left");
            QCOMPARE(q.value(2).toLongLong(), r.headers.value("x-tokenfuse-max-tokens-clamped").split(';').at(0).toLongLong());
        }
        QVERIFY2(servedCount >= 2, qPrintable(QString::number(servedCount)));
        QVERIFY2(spent <= 300, qPrintable(QStringLiteral("spent %1 of 300").arg(spent)));
        QVERIFY2(spent >= 300 - 16 - 30, qPrintable(QStringLiteral("spent only %1 of 300").arg(spent)));
        QCOMPARE(r.status, 402);
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        const QString message = o.value("error").toObject().value("message").toString();
        QCOMPARE(o.value("error").toObject().value("type").toString(),
                 path == Messages ? QStringLiteral("billing_error") : QStringLiteral("budget_exceeded"));
        QVERIFY2(message.contains(QString::fromUtf8(session)), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("300")), qPrintable(message));
        QCOMPARE(r.headers.value("x-should-retry"), QByteArray("false"));
    }

    void refuseModeKeepsRefusing()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "strict-*"}, {"window", "total"},
                                          {"max_tokens", 300}, {"over_cap", "refuse"}}});
        const quint64 before = served();
        const Reply r = m_client->call(Messages, request(Messages, false, "64000"), caller("strict-1", 50));
        QCOMPARE(r.status, 402);
        QCOMPARE(served(), before);
        QCOMPARE(m_client->call(Messages, request(Messages, false, "200"), caller("strict-1", 50)).status, 200);
    }

    // Codex CLI retries every status but 400 whatever x-should-retry says: a spent budget reaches
    // it as 400 with the same budget_exceeded body (and the contract's status in a header), so it
    // stops at once. Everyone else still gets 402.
    void aSpentBudgetStopsCodexWithA400()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "codex-*"}, {"window", "total"},
                                          {"max_tokens", 300}, {"over_cap", "refuse"}}});
        HttpHeaders codex = caller("codex-1", 50);
        codex.add("originator", "codex_exec");
        const Reply r = m_client->call(Chat, request(Chat, false, "64000"), codex);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.headers.value("x-tokenfuse-status"), QByteArray("402"));
        QCOMPARE(r.headers.value("x-should-retry"), QByteArray("false"));
        const QJsonObject e = QJsonDocument::fromJson(r.body).object().value("error").toObject();
        QCOMPARE(e.value("code").toString(), QStringLiteral("budget_exceeded"));
        QVERIFY2(e.value("message").toString().contains(QLatin1String("300")), r.body.constData());
        const Reply other = m_client->call(Chat, request(Chat, false, "64000"), caller("codex-2", 50));
        QCOMPARE(other.status, 402);
        QVERIFY(!other.headers.contains("x-tokenfuse-status"));
    }

    void unrepresentableLimitIsA400_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("limit");
        // Finding 4: these were forwarded and reserved the 4,096 default.
        for (const QByteArray &path : {Chat, Messages}) {
            for (const char *limit : {"1e22", "1e19", "-5", "0", "\"20000\"", "1.5", "true", "2147483648"})
                QTest::newRow(path + " max_tokens " + limit) << path << QByteArray("max_tokens") << QByteArray(limit);
        }
        QTest::newRow("chat max_completion_tokens 1e22") << Chat << QByteArray("max_completion_tokens") << QByteArray("1e22");
        QTest::newRow("passthrough max_tokens") << QByteArray("/v1/custom/generate") << QByteArray("max_tokens") << QByteArray("\"20000\"");
        QTest::newRow("passthrough max_output_tokens") << QByteArray("/v1/custom/generate") << QByteArray("max_output_tokens") << QByteArray("-1");
    }

    void unrepresentableLimitIsA400()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, limit);
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "bad-*"}, {"window", "total"}, {"max_tokens", 10000}}});
        const quint64 before = served();
        const Reply r = m_client->call(path, request(path == Messages ? Messages : Chat, false, limit, key), caller("bad-1", 10));
        QCOMPARE(r.status, 400);
        QCOMPARE(served(), before);
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        if (path == Messages)
            QCOMPARE(o.value("type").toString(), QStringLiteral("error"));
        const QJsonObject e = o.value("error").toObject();
        QCOMPARE(e.value("type").toString(), QStringLiteral("invalid_request_error"));
        const QString message = e.value("message").toString();
        QVERIFY2(message.contains(QString::fromUtf8(key)), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("2147483647")), qPrintable(message));
    }

    void passthroughLimitIsClampedUnderItsOwnKey()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "pass-*"}, {"window", "request"}, {"max_tokens", 100}}});
        m_capture.bodies.clear();
        const QByteArray body = R"({"model":"capture-1","prompt":"Once upon a time","max_output_tokens":600,"max_tokens":600})";
        const Reply r = m_client->call("/v1/custom/generate", body, caller("pass-1", 0));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_capture.bodies.size(), 1);
        const QJsonObject sent = QJsonDocument::fromJson(m_capture.bodies.first()).object();
        const qint64 forwarded = sent.value("max_output_tokens").toInteger();
        QVERIFY2(forwarded >= 16 && forwarded < 100, m_capture.bodies.first().constData());
        QVERIFY2(!sent.contains("max_tokens"), "one output limit goes up, under the key read");
        QCOMPARE(sent.value("prompt").toString(), QStringLiteral("Once upon a time"));
        QCOMPARE(r.headers.value("x-tokenfuse-max-tokens-clamped"),
                 QByteArray::number(forwarded) + "; requested=600; rule=\"session pass-* per request\"");
        QCOMPARE(row(r.headers.value("x-tokenfuse-request-id")).value(2).toLongLong(), forwarded);
        // None sent: nothing is injected into an endpoint TokenFuse does not know.
        const Reply plain = m_client->call("/v1/custom/generate", R"({"model":"capture-1","prompt":"Hi"})", caller("pass-2", 0));
        QCOMPARE(plain.status, 200);
        QCOMPARE(m_capture.bodies.size(), 2);
        QCOMPARE(m_capture.bodies.last(), QByteArray(R"({"model":"capture-1","prompt":"Hi"})"));
        QVERIFY(!plain.headers.contains("x-tokenfuse-max-tokens-clamped"));
    }

    void rateLimitAfterAClampSpendsNothing()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "rate-*"}, {"window", "total"}, {"max_tokens", 200}}});
        QCOMPARE(m_client->call(Chat, request(Chat, false, "64000"), caller("rate-1", 20)).status, 200);
        const Reply limited = m_client->call(Chat, request(Chat, false, "64000"), caller("rate-1", 20));
        QCOMPARE(limited.status, 429);
        QVERIFY(!limited.headers.contains("x-tokenfuse-max-tokens-clamped"));
        QSqlQuery q = row(limited.headers.value("x-tokenfuse-request-id"));
        QCOMPARE(q.value(2).toLongLong(), 0);
        // The budget counts the one request that went out, and holds nothing for the refused one.
        const Reply listed = m_client->admin("GET", "budgets");
        const QJsonArray budgets = QJsonDocument::fromJson(listed.body).object().value("budgets").toArray();
        const QJsonObject usage = budgets.at(0).toObject().value("usage").toArray().at(0).toObject();
        QCOMPARE(usage.value("spent").toObject().value("requests").toInteger(), 1);
        QCOMPARE(usage.value("reserved").toObject().value("tokens").toInteger(), 0);
        QCOMPARE(usage.value("in_flight").toObject().value("requests").toInteger(), 0);
    }

    void largestValidLimitIsServed()
    {
        setBudgets(QJsonArray{});
        const Reply r = m_client->call(Messages, request(Messages, false, "2147483647"), caller("big-1", 10));
        QCOMPARE(r.status, 200);
        QCOMPARE(completionOf(r.body, false), 10);
    }
};

QTEST_GUILESS_MAIN(tst_GatewaySpendDown)
#include "tst_GatewaySpendDown.moc"
