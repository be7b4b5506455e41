// RequestGuard: which Host, Origin and content type reach TokenFuse, row by row.
#include "http/HttpRequest.h"
#include "http/RequestGuard.h"

#include <QtTest>

namespace {
RequestGuard localGuard()
{
    return RequestGuard({QStringLiteral("127.0.0.1"), {QStringLiteral("devbox.lan")}, {QStringLiteral("http://localhost:3000")}});
}

HttpRequest post(const QByteArray &path, const QByteArray &contentType, const QByteArray &body)
{
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = path;
    r.headers.add("host", "127.0.0.1:8400");
    if (!contentType.isEmpty())
        r.headers.add("content-type", contentType);
    r.body = body;
    r.peerAddress = QHostAddress::LocalHost;
    return r;
}
} // namespace

Q_DECLARE_METATYPE(Dialect::Error)

class tst_RequestGuard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void host_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("127.0.0.1:8400") << QByteArray("127.0.0.1:8400") << true;
        QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << true;
        QTest::newRow("other loopback ip") << QByteArray("127.0.0.2:8400") << true;
        QTest::newRow("localhost") << QByteArray("localhost") << true;
        QTest::newRow("localhost:8400") << QByteArray("localhost:8400") << true;
        QTest::newRow("LOCALHOST") << QByteArray("LOCALHOST:8400") << true;
        QTest::newRow("[::1]:8400") << QByteArray("[::1]:8400") << true;
        QTest::newRow("[::1]") << QByteArray("[::1]") << true;
        QTest::newRow("app.localhost") << QByteArray("app.localhost:8400") << true;
        QTest::newRow("allowed_hosts") << QByteArray("devbox.lan:8400") << true;
        QTest::newRow("empty port") << QByteArray("localhost:") << true;
        QTest::newRow("evil.example") << QByteArray("evil.example") << false;
        QTest::newRow("evil.example:8400") << QByteArray("evil.example:8400") << false;
        QTest::newRow(":8400") << QByteArray(":8400") << false;
        QTest::newRow("empty") << QByteArray("") << false;
        QTest::newRow("127.0.0.1.evil.example") << QByteArray("127.0.0.1.evil.example") << false;
        QTest::newRow("localhost.evil.example") << QByteArray("localhost.evil.example") << false;
        QTest::newRow("evillocalhost") << QByteArray("evillocalhost") << false;
        QTest::newRow(".localhost") << QByteArray(".localhost") << false;
        QTest::newRow("short ip form") << QByteArray("127.1") << false;
        QTest::newRow("hex ip form") << QByteArray("0x7f.0.0.1") << false;
        QTest::newRow("unbracketed ipv6") << QByteArray("::1") << false;
        QTest::newRow("unclosed bracket") << QByteArray("[::1:8400") << false;
        QTest::newRow("bracketed name") << QByteArray("[localhost]") << false;
        QTest::newRow("wildcard 0.0.0.0") << QByteArray("0.0.0.0:8400") << false;
        QTest::newRow("bad port") << QByteArray("localhost:84a0") << false;
        QTest::newRow("foreign ip") << QByteArray("192.0.2.7:8400") << false;
        QTest::newRow("user info") << QByteArray("user@localhost") << false;
    }

    void host()
    {
        QFETCH(QByteArray, host);
        QFETCH(bool, allowed);
        QCOMPARE(localGuard().hostAllowed(host), allowed);
    }

    void listenHostIsAllowed()
    {
        const RequestGuard lan({QStringLiteral("192.0.2.7"), {}, {}});
        QVERIFY(lan.hostAllowed("192.0.2.7:8400"));
        QVERIFY(lan.hostAllowed("localhost:8400"));
        QVERIFY(!lan.hostAllowed("192.0.2.8:8400"));
        // Listening everywhere never makes the wildcard address a name, nor any name acceptable.
        const RequestGuard everywhere({QStringLiteral("0.0.0.0"), {}, {}});
        QVERIFY(!everywhere.hostAllowed("0.0.0.0:8400"));
        QVERIFY(!everywhere.hostAllowed("evil.example:8400"));
        QVERIFY(everywhere.hostAllowed("127.0.0.1:8400"));
    }

    void origin_data()
    {
        QTest::addColumn<QByteArray>("origin");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("configured") << QByteArray("http://localhost:3000") << true;
        QTest::newRow("configured, other case") << QByteArray("HTTP://LOCALHOST:3000") << true;
        QTest::newRow("other port") << QByteArray("http://localhost:3001") << false;
        QTest::newRow("https instead") << QByteArray("https://localhost:3000") << false;
        QTest::newRow("evil") << QByteArray("http://evil.example") << false;
        QTest::newRow("null") << QByteArray("null") << false;
        QTest::newRow("empty") << QByteArray("") << false;
        QTest::newRow("same as our host") << QByteArray("http://127.0.0.1:8400") << false;
    }

    void origin()
    {
        QFETCH(QByteArray, origin);
        QFETCH(bool, allowed);
        QCOMPARE(localGuard().originAllowed(origin), allowed);
    }

    void contentType_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<bool>("json");
        QTest::newRow("application/json") << QByteArray("application/json") << true;
        QTest::newRow("with charset") << QByteArray("application/json; charset=utf-8") << true;
        QTest::newRow("upper case") << QByteArray("Application/JSON") << true;
        QTest::newRow("text/plain") << QByteArray("text/plain") << false;
        QTest::newRow("text/plain json-ish") << QByteArray("text/plain; application/json") << false;
        QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded") << false;
        QTest::newRow("multipart") << QByteArray("multipart/form-data; boundary=x") << false;
        QTest::newRow("json suffix type") << QByteArray("application/vnd.api+json") << false;
        QTest::newRow("none") << QByteArray() << false;
    }

    void contentType()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(bool, json);
        QCOMPARE(RequestGuard::isJsonContentType(contentType), json);
    }

    void controlCharacters_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("at");
        QTest::newRow("clean") << QByteArray("{\"a\": \"b\\u0000\\n\"}") << -1;
        QTest::newRow("whitespace between tokens") << QByteArray("{\n\t\"a\":\r\n 1}") << -1;
        QTest::newRow("raw NUL in string") << QByteArray("{\"a\": \"b\0c\"}", 12) << 8;
        QTest::newRow("raw newline in string") << QByteArray("{\"a\": \"b\nc\"}") << 8;
        QTest::newRow("raw tab in string") << QByteArray("{\"a\": \"\tc\"}") << 7;
        QTest::newRow("raw NUL between tokens") << QByteArray("{\"a\":\0 1}", 9) << 5;
        QTest::newRow("escaped quote keeps the string open") << QByteArray("{\"a\": \"x\\\"\x01\"}") << 10;
        QTest::newRow("unit separator") << QByteArray("{\"a\": \"\x1f\"}") << 7;
    }

    void controlCharacters()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, at);
        QCOMPARE(int(RequestGuard::rawControlCharacter(json)), at);
    }

    void check_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("host");     // "-": no Host header
        QTest::addColumn<QByteArray>("origin");   // empty: none
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");          // 0: let in
        const QByteArray json = "{\"model\":\"gpt-4o\"}";
        QTest::newRow("sdk call") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("application/json") << json << 0;
        QTest::newRow("text/plain cross-origin") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray("http://evil.example") << QByteArray("text/plain") << json << 403;
        QTest::newRow("json cross-origin") << QByteArray("POST") << QByteArray("/v1/messages") << QByteArray("127.0.0.1:8400") << QByteArray("http://evil.example") << QByteArray("application/json") << json << 403;
        QTest::newRow("allowed origin") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("localhost:8400") << QByteArray("http://localhost:3000") << QByteArray("application/json") << json << 0;
        QTest::newRow("origin equal to host is no pass") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray("http://127.0.0.1:8400") << QByteArray("application/json") << json << 403;
        QTest::newRow("text/plain, no origin") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("text/plain") << json << 415;
        QTest::newRow("form, no origin") << QByteArray("POST") << QByteArray("/v1/embeddings") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("application/x-www-form-urlencoded") << json << 415;
        QTest::newRow("multipart chat") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("multipart/form-data; boundary=b") << json << 415;
        QTest::newRow("no content type") << QByteArray("POST") << QByteArray("/v1/responses") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray() << json << 415;
        QTest::newRow("no body, no type") << QByteArray("POST") << QByteArray("/v1/batches/b1/cancel") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray() << QByteArray() << 0;
        QTest::newRow("multipart upload") << QByteArray("POST") << QByteArray("/v1/audio/transcriptions") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("multipart/form-data; boundary=b") << QByteArray("--b\r\n\0\r\n--b--", 14) << 0;
        QTest::newRow("evil host") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("evil.example") << QByteArray() << QByteArray("application/json") << json << 403;
        QTest::newRow("evil host healthz") << QByteArray("GET") << QByteArray("/healthz") << QByteArray("evil.example:8400") << QByteArray() << QByteArray() << QByteArray() << 403;
        QTest::newRow("no host") << QByteArray("GET") << QByteArray("/healthz") << QByteArray("-") << QByteArray() << QByteArray() << QByteArray() << 400;
        QTest::newRow("admin with allowed origin") << QByteArray("GET") << QByteArray("/admin/v1/budgets") << QByteArray("127.0.0.1:8400") << QByteArray("http://localhost:3000") << QByteArray() << QByteArray() << 403;
        QTest::newRow("admin from curl") << QByteArray("PUT") << QByteArray("/admin/v1/budgets") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("application/x-www-form-urlencoded") << QByteArray("[]") << 0;
        QTest::newRow("preflight") << QByteArray("OPTIONS") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray("http://localhost:3000") << QByteArray() << QByteArray() << 403;
        QTest::newRow("admin preflight") << QByteArray("OPTIONS") << QByteArray("/admin/v1/keys") << QByteArray("127.0.0.1:8400") << QByteArray("http://evil.example") << QByteArray() << QByteArray() << 403;
        QTest::newRow("raw NUL in JSON") << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray("127.0.0.1:8400") << QByteArray() << QByteArray("application/json") << QByteArray("{\"model\":\"a\0b\"}", 15) << 400;
    }

    void check()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, host);
        QFETCH(QByteArray, origin);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        HttpRequest r = post(path, contentType, body);
        r.method = method;
        r.headers.remove("host");
        if (host != "-")
            r.headers.add("host", host);
        if (!origin.isEmpty())
            r.headers.add("origin", origin);
        const std::optional<RequestGuard::Refusal> no = localGuard().check(r);
        QCOMPARE(no ? Dialect::statusOf(no->error) : 0, status);
        if (no)
            QVERIFY(!no->message.isEmpty());
    }

    void hostRules()
    {
        const RequestGuard guard = localGuard();
        HttpRequest r = post("/v1/chat/completions", "application/json", "{}");
        r.headers.add("host", "localhost:8400");
        QCOMPARE(guard.check(r)->error, Dialect::Error::InvalidRequest); // two Host headers
        r.headers.remove("host");
        r.httpMinor = 0; // HTTP/1.0 had no Host: let in from this machine, not from elsewhere
        QVERIFY(!guard.check(r));
        r.peerAddress = QHostAddress(QStringLiteral("192.0.2.7"));
        QCOMPARE(guard.check(r)->error, Dialect::Error::InvalidRequest);
        r.httpMinor = 1;
        r.peerAddress = QHostAddress::LocalHost;
        QVERIFY(guard.check(r)->message.contains("Host"));
    }

    void refusalsMapToTheProductTable()
    {
        QCOMPARE(Dialect::statusOf(Dialect::Error::ForbiddenOrigin), 403);
        QCOMPARE(Dialect::statusOf(Dialect::Error::UnsupportedMediaType), 415);
        QCOMPARE(Dialect::errorForStatus(415), Dialect::Error::UnsupportedMediaType);
        const QByteArray openAi = Dialect::forApi(ApiDialect::OpenAi).errorBody(Dialect::Error::ForbiddenOrigin, "no");
        QVERIFY2(openAi.contains("\"type\":\"forbidden_origin\"") && openAi.contains("\"code\":\"forbidden_origin\""), openAi);
        const QByteArray anthropic = Dialect::forApi(ApiDialect::Anthropic).errorBody(Dialect::Error::ForbiddenOrigin, "no");
        QVERIFY2(anthropic.contains("\"type\":\"permission_error\""), anthropic);
        QVERIFY(Dialect::forApi(ApiDialect::OpenAi).errorBody(Dialect::Error::UnsupportedMediaType, "no").contains("\"type\":\"invalid_request_error\""));
        QVERIFY(Dialect::forApi(ApiDialect::Anthropic).errorBody(Dialect::Error::UnsupportedMediaType, "no").contains("\"type\":\"invalid_request_error\""));
    }
};

QTEST_GUILESS_MAIN(tst_RequestGuard)
#include "tst_RequestGuard.moc"
