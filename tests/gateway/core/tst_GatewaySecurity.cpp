// The gateway against web pages and leaks, over real sockets: a foreign Origin or Host, a form or
// text/plain body, raw control characters and dot-segment paths are refused before anything goes
// upstream; virtual keys, cookies and browser headers never reach a provider; a provider key that an
// upstream echoes never reaches the client or the log.
#include "GatewayUnderTest.h"
#include "TestSupport.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {
const QByteArray kProviderKey = "sk-live-0123456789abcdefghijKLMNOP";

struct RawReply
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// What the test upstream was sent.
struct Seen
{
    QByteArray method;
    QByteArray target;
    HttpHeaders headers;
};
} // namespace

class tst_GatewaySecurity : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    HttpServer m_upstream;
    QList<Seen> m_seen;
    QStringList m_log;

    // One request as raw bytes on its own connection, so every header is exactly what the test says.
    RawReply raw(const QByteArray &requestHead, const QByteArray &body = {})
    {
        RawClient c(m_port);
        QByteArray bytes = requestHead;
        if (!body.isEmpty())
            bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        bytes += "Connection: close\r\n\r\n" + body;
        c.send(bytes);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(c.closed, 10000); }();
        RawReply r;
        const qsizetype end = c.received.indexOf("\r\n\r\n");
        r.head = c.received.left(end).toLower();
        r.body = c.received.mid(end + 4);
        r.status = c.received.mid(9, 3).toInt();
        return r;
    }

    QByteArray head(const QByteArray &method, const QByteArray &path, const QByteArray &extra = {})
    {
        return method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n" + extra;
    }

    static QByteArray chat(const char *model)
    {
        return QJsonDocument(QJsonObject{{"model", model}, {"max_tokens", 16},
                                         {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}})
            .toJson(QJsonDocument::Compact);
    }

    QByteArray adminToken()
    {
        QFile f(m_dataDir.filePath(QStringLiteral("admin.token")));
        f.open(QIODevice::ReadOnly);
        return f.readAll().trimmed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A provider that records what it is sent and answers 401 quoting the key for "gpt-echo",
        // as some providers do.
        m_upstream.setHandler([this](const HttpRequest &r, HttpResponder *responder) {
            m_seen.append({r.method, r.target, r.headers});
            HttpHeaders h;
            h.add("content-type", "application/json");
            if (r.body.contains("gpt-echo")) {
                const QByteArray body = "{\"error\":{\"message\":\"Incorrect API key provided: " + r.headers.value("authorization")
                    + "\",\"type\":\"invalid_request_error\"}}";
                responder->respond(401, h, body);
                return;
            }
            responder->respond(200, h, R"({"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})");
        });
        QVERIFY(m_upstream.listen(QHostAddress::LocalHost, 0));
        const QString up = QStringLiteral("http://127.0.0.1:%1").arg(m_upstream.serverPort());
        const QJsonObject json{
            {"upstreams", QJsonArray{
                QJsonObject{{"name", "keyed"}, {"base_url", up + "/proj-a/v1"}, {"api_key", QString::fromLatin1(kProviderKey)}, {"models", QJsonArray{"gpt-*"}}},
                QJsonObject{{"name", "open"}, {"base_url", up + "/open/v1"}, {"models", QJsonArray{"open-*"}}, {"priority", 1}}}},
            {"allowed_origins", QJsonArray{"http://localhost:3000"}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        connect(m_host, &GatewayHost::logLine, this, [this](const QString &l) { m_log << l; });
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        QVERIFY(m_port);
    }

    void cleanupTestCase()
    {
        m_host->stop();
        QVERIFY2(!m_log.join('\n').contains(QString::fromLatin1(kProviderKey.left(16))), qPrintable(m_log.join('\n')));
    }

    void sdkShapedRequestPasses()
    {
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Content-Type: application/json\r\n"), chat("gpt-4o"));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_seen.last().target, QByteArray("/proj-a/v1/chat/completions"));
        QCOMPARE(m_seen.last().headers.value("authorization"), "Bearer " + kProviderKey);
    }

    void crossOriginSimpleRequestIsRefused_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("text/plain") << QByteArray("text/plain");
        QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded");
        QTest::newRow("multipart") << QByteArray("multipart/form-data; boundary=x");
        QTest::newRow("none") << QByteArray();
        QTest::newRow("even json") << QByteArray("application/json");
    }

    void crossOriginSimpleRequestIsRefused()
    {
        QFETCH(QByteArray, contentType);
        const qsizetype before = m_seen.size();
        const QByteArray type = contentType.isEmpty() ? QByteArray() : "Content-Type: " + contentType + "\r\n";
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Origin: http://evil.example\r\n" + type), chat("gpt-4o"));
        QCOMPARE(r.status, 403);
        QVERIFY2(r.body.contains("\"code\":\"forbidden_origin\""), r.body);
        QVERIFY(r.head.contains("x-should-retry: false"));
        QVERIFY(!r.head.contains("access-control-"));
        QCOMPARE(m_seen.size(), before); // nothing reached the provider, nothing was billed
        const RawReply a = raw(head("POST", "/v1/messages", "Origin: http://evil.example\r\n" + type), chat("claude-x"));
        QCOMPARE(a.status, 403);
        QVERIFY2(a.body.contains("\"type\":\"permission_error\""), a.body);
    }

    void nonJsonBodyIs415()
    {
        const qsizetype before = m_seen.size();
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Content-Type: text/plain\r\n"), chat("gpt-4o"));
        QCOMPARE(r.status, 415);
        QVERIFY2(r.body.contains("\"type\":\"invalid_request_error\"") && r.body.contains("application/json"), r.body);
        const RawReply a = raw(head("POST", "/v1/messages", "Content-Type: application/x-www-form-urlencoded\r\n"), chat("claude-x"));
        QCOMPARE(a.status, 415);
        QVERIFY2(a.body.contains("\"type\":\"error\""), a.body); // the Anthropic shape
        QCOMPARE(m_seen.size(), before);
    }

    void foreignHostIsRefused_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("evil.example") << QByteArray("Host: evil.example\r\n") << QByteArray("/v1/models") << 403;
        QTest::newRow("evil.example:port healthz") << QByteArray("Host: evil.example:8400\r\n") << QByteArray("/healthz") << 403;
        QTest::newRow("rebinding-looking name") << QByteArray("Host: 127.0.0.1.evil.example\r\n") << QByteArray("/v1/models") << 403;
        QTest::newRow("empty name") << QByteArray("Host: :8400\r\n") << QByteArray("/healthz") << 403;
        QTest::newRow("no host") << QByteArray() << QByteArray("/healthz") << 400;
    }

    void foreignHostIsRefused()
    {
        QFETCH(QByteArray, host);
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        const qsizetype before = m_seen.size();
        const RawReply r = raw("GET " + path + " HTTP/1.1\r\n" + host);
        QCOMPARE(r.status, status);
        QVERIFY(!r.body.contains("\"status\":\"ok\""));
        QCOMPARE(m_seen.size(), before);
        // The names of this machine still work.
        for (const QByteArray &name : {QByteArray("localhost"), QByteArray("[::1]"), QByteArray("127.0.0.1")}) {
            const RawReply ok = raw("GET /healthz HTTP/1.1\r\nHost: " + name + ':' + QByteArray::number(m_port) + "\r\n");
            QCOMPARE(ok.status, 200);
        }
    }

    void virtualKeyCookieAndBrowserHeadersStayHere()
    {
        const RawReply created = raw(head("POST", "/admin/v1/keys", "Authorization: Bearer " + adminToken() + "\r\nContent-Type: application/json\r\n"),
                                     R"({"tenant":"acme","name":"t"})");
        QCOMPARE(created.status, 201);
        const QByteArray key = QJsonDocument::fromJson(created.body).object().value("key").toString().toLatin1();
        QVERIFY(key.startsWith("tf-"));
        for (const QByteArray &header : {QByteArray("Authorization: Bearer "), QByteArray("x-api-key: "), QByteArray("Authorization: ")}) {
            const RawReply r = raw(head("POST", "/v1/chat/completions",
                                        header + key + "\r\nContent-Type: application/json\r\nCookie: sid=secret-cookie\r\n"
                                        "Referer: http://localhost:3000/page\r\nSec-Fetch-Site: same-site\r\nSec-Fetch-Mode: cors\r\n"),
                                   chat("open-1"));
            QCOMPARE(r.status, 200);
            const Seen &seen = m_seen.last();
            QCOMPARE(seen.target, QByteArray("/open/v1/chat/completions"));
            for (const QByteArray name : {"authorization", "x-api-key", "cookie", "referer", "sec-fetch-site", "sec-fetch-mode", "origin"})
                QVERIFY2(!seen.headers.contains(name), name.constData());
        }
        // A key of the client's own (not a virtual key) still passes to an upstream without one.
        const RawReply own = raw(head("POST", "/v1/chat/completions", "Authorization: Bearer sk-client-own-key-42\r\nContent-Type: application/json\r\n"),
                                 chat("open-1"));
        QCOMPARE(own.status, 200);
        QCOMPARE(m_seen.last().headers.value("authorization"), QByteArray("Bearer sk-client-own-key-42"));
    }

    void allowedOriginIsServedButNotForwarded()
    {
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Origin: http://localhost:3000\r\nContent-Type: application/json\r\n"), chat("open-1"));
        QCOMPARE(r.status, 200);
        QVERIFY(!m_seen.last().headers.contains("origin"));
        QVERIFY(!r.head.contains("access-control-"));
    }

    void adminApiNeverAnswersCrossOrigin()
    {
        const QByteArray auth = "Authorization: Bearer " + adminToken() + "\r\n";
        QCOMPARE(raw(head("GET", "/admin/v1/budgets", auth)).status, 200);
        const RawReply r = raw(head("GET", "/admin/v1/budgets", auth + "Origin: http://localhost:3000\r\n")); // allowed for /v1, never here
        QCOMPARE(r.status, 403);
        QVERIFY2(r.body.contains("forbidden_origin"), r.body);
        const RawReply preflight = raw(head("OPTIONS", "/admin/v1/keys", "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n"));
        QCOMPARE(preflight.status, 403);
        QVERIFY(!preflight.head.contains("access-control-"));
        QCOMPARE(raw(head("OPTIONS", "/v1/chat/completions", "Origin: http://localhost:3000\r\n")).status, 403);
    }

    void dotSegmentsCannotEscapeTheBasePath_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("encoded") << QByteArray("/v1/%2e%2e/%2e%2e/admin/keys");
        QTest::newRow("upper case") << QByteArray("/v1/%2E%2E/%2E%2E/admin/keys");
        QTest::newRow("mixed") << QByteArray("/v1/.%2e/admin/keys");
        QTest::newRow("plain") << QByteArray("/v1/../admin/v1/keys");
        QTest::newRow("encoded slash") << QByteArray("/v1/..%2f..%2fadmin");
    }

    void dotSegmentsCannotEscapeTheBasePath()
    {
        QFETCH(QByteArray, path);
        const qsizetype before = m_seen.size();
        const RawReply r = raw(head("GET", path));
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.contains("invalid_request_error"), r.body);
        QCOMPARE(m_seen.size(), before);
    }

    void dotSegmentsInsideV1AreResolved()
    {
        const RawReply r = raw(head("GET", "/v1/files/%2e%2e/models?limit=2"));
        QCOMPARE(r.status, 200);
        QCOMPARE(m_seen.last().target, QByteArray("/proj-a/v1/models?limit=2"));
    }

    void echoedProviderKeyIsRedacted()
    {
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Content-Type: application/json\r\n"), chat("gpt-echo"));
        QCOMPARE(r.status, 401);
        QVERIFY2(!r.body.contains(kProviderKey.left(16)), r.body);
        QVERIFY2(r.body.contains("Bearer sk-\xe2\x80\xa6REDACTED"), r.body);
        QCOMPARE(m_seen.last().headers.value("authorization"), "Bearer " + kProviderKey); // the upstream did echo it
    }

    void rawControlCharactersAreRefused()
    {
        const qsizetype before = m_seen.size();
        QByteArray body = chat("gpt-4o");
        body.replace("hi", QByteArray("h\0i", 3));
        const RawReply r = raw(head("POST", "/v1/chat/completions", "Content-Type: application/json\r\n"), body);
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.contains("U+0000") && r.body.contains("escaped"), r.body);
        body = chat("claude-x");
        body.replace("hi", "h\x01i");
        const RawReply a = raw(head("POST", "/v1/messages", "Content-Type: application/json\r\n"), body);
        QCOMPARE(a.status, 400);
        QVERIFY2(a.body.contains("U+0001"), a.body);
        QCOMPARE(m_seen.size(), before);
    }
};

QTEST_GUILESS_MAIN(tst_GatewaySecurity)
#include "tst_GatewaySecurity.moc"
