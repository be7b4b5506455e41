// HttpServer over real sockets: framing, keep-alive, pipelining, and every limit with its status.
#include "TestSupport.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QtTest>

class tst_HttpServer : public QObject
{
    Q_OBJECT
private:
    HttpServer *m_server = nullptr;
    QList<HttpRequest> m_seen;
    int m_clientGone = 0;
    QPointer<HttpResponder> m_streaming;

    quint16 start(const HttpLimits &limits = {})
    {
        delete m_server;
        m_seen.clear();
        m_clientGone = 0;
        m_server = new HttpServer(this);
        m_server->setLimits(limits);
        m_server->setErrorFormatter([](const QByteArray &path, int status, const QString &message) {
            const QString kind = path.startsWith("/v1/messages") ? QStringLiteral("anthropic") : QStringLiteral("openai");
            return QJsonDocument(QJsonObject{{"shape", kind}, {"status", status}, {"message", message}}).toJson(QJsonDocument::Compact);
        });
        m_server->setHandler([this](const HttpRequest &r, HttpResponder *responder) {
            m_seen.append(r);
            connect(responder, &HttpResponder::clientGone, this, [this] { ++m_clientGone; });
            HttpHeaders h;
            h.add("content-type", "text/plain");
            if (r.path == "/slow") {
                QPointer<HttpResponder> p(responder);
                QTimer::singleShot(150, this, [p, h] { if (p) p->respond(200, h, "slow"); });
            } else if (r.path == "/stream") {
                responder->beginStream(200, h);
                responder->writeChunk("first");
                m_streaming = responder;
            } else {
                responder->respond(200, h, "echo:" + r.method + ' ' + r.target + " body=" + r.body);
            }
        });
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            qFatal("listen failed");
        return m_server->serverPort();
    }

private Q_SLOTS:
    void keepAliveServesSeveralRequestsOnOneConnection()
    {
        RawClient c(start());
        c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:GET /a"));
        c.send("POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        QTRY_VERIFY(c.received.contains("echo:POST /b?q=1 body=hello"));
        QVERIFY(!c.closed);
        QCOMPARE(m_seen.size(), 2);
        QCOMPARE(m_seen.at(1).path, QByteArray("/b"));
        QCOMPARE(m_seen.at(1).query, QByteArray("q=1"));
        QCOMPARE(m_seen.at(0).connectionId, m_seen.at(1).connectionId);
    }

    void headerNamesAreLowerCasedAndSplitPiecesJoined()
    {
        RawClient c(start());
        // Sent in pieces that split names and values.
        c.send("GET /h HTTP/1.1\r\nX-Tenant");
        QTest::qWait(20);
        c.send("-ID: ac");
        QTest::qWait(20);
        c.send("me\r\n\r\n");
        QTRY_COMPARE(m_seen.size(), 1);
        QCOMPARE(m_seen.at(0).headers.value("x-tenant-id"), QByteArray("acme"));
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        RawClient c(start());
        c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:GET /fast"));
        const qsizetype slow = c.received.indexOf("slow");
        const qsizetype fast = c.received.indexOf("echo:GET /fast");
        QVERIFY(slow >= 0);
        QVERIFY2(slow < fast, "the second response must not overtake the first");
    }

    void http10ClosesAfterTheResponse()
    {
        RawClient c(start());
        c.send("GET /old HTTP/1.0\r\n\r\n");
        QTRY_VERIFY(c.closed);
        QVERIFY(c.received.contains("Connection: close"));
        QVERIFY(c.received.contains("echo:GET /old"));
    }

    void connectionCloseIsHonoured()
    {
        RawClient c(start());
        c.send("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n");
        QTRY_VERIFY(c.closed);
    }

    void chunkedRequestBodyIsDecoded()
    {
        RawClient c(start());
        c.send("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        QTRY_VERIFY(c.received.contains("body=abcde"));
    }

    void expectContinueGetsInterimResponse()
    {
        RawClient c(start());
        c.send("POST /e HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
        QTRY_VERIFY(c.received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        c.send("ok");
        QTRY_VERIFY(c.received.contains("body=ok"));
    }

    void limits_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("shape");
        const QByteArray big(3000, 'a');
        QTest::newRow("header too large") << QByteArray("GET /v1/chat/completions HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n") << 431 << QByteArray("openai");
        QTest::newRow("header too large, anthropic path") << QByteArray("GET /v1/messages HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n") << 431 << QByteArray("anthropic");
        QTest::newRow("too many header fields") << QByteArray("GET / HTTP/1.1\r\n" + QByteArray("A: b\r\n").repeated(400) + "\r\n") << 431 << QByteArray("openai");
        QTest::newRow("content-length too large") << QByteArray("POST /v1/messages HTTP/1.1\r\nContent-Length: 5000\r\n\r\n") << 413 << QByteArray("anthropic");
        QTest::newRow("chunked body too large") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + QByteArray("800\r\n" + QByteArray(2048, 'x') + "\r\n").repeated(3) + "0\r\n\r\n") << 413 << QByteArray("openai");
        QTest::newRow("garbage request line") << QByteArray("HELLO THERE\r\n\r\n") << 400 << QByteArray("openai");
        QTest::newRow("content-length and chunked together") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400 << QByteArray("openai");
        QTest::newRow("header line without colon") << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n") << 400 << QByteArray("openai");
    }

    void limits()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QByteArray, shape);
        HttpLimits l;
        l.maxHeaderBytes = 2048;
        l.maxBodyBytes = 4096;
        RawClient c(start(l));
        c.send(request);
        QTRY_VERIFY(c.closed);
        QVERIFY2(c.received.startsWith("HTTP/1.1 " + QByteArray::number(status)), c.received.left(80).constData());
        const QByteArray body = c.received.mid(c.received.indexOf("\r\n\r\n") + 4);
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        QCOMPARE(o.value("shape").toString().toUtf8(), shape);
        QVERIFY(!o.value("message").toString().isEmpty());
        QVERIFY(m_seen.isEmpty());
    }

    void slowHeadersGet408()
    {
        HttpLimits l;
        l.headerTimeoutMs = 200;
        RawClient c(start(l));
        c.send("GET / HTTP/1.1\r\nX-Slow: ");
        QTRY_VERIFY(c.closed);
        QVERIFY(c.received.startsWith("HTTP/1.1 408"));
    }

    void slowBodyGets408()
    {
        HttpLimits l;
        l.bodyTimeoutMs = 200;
        RawClient c(start(l));
        c.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part");
        QTRY_VERIFY(c.closed);
        QVERIFY(c.received.startsWith("HTTP/1.1 408"));
    }

    void idleKeepAliveConnectionIsClosed()
    {
        HttpLimits l;
        l.keepAliveTimeoutMs = 200;
        RawClient c(start(l));
        c.send("GET / HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:"));
        QTRY_VERIFY(c.closed);
    }

    void streamIsChunkedAndClientGoneIsSignalled()
    {
        RawClient c(start());
        c.send("GET /stream HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("Transfer-Encoding: chunked"));
        QTRY_VERIFY(c.received.contains("5\r\nfirst\r\n"));
        QVERIFY(m_streaming);
        m_streaming->writeChunk("second!");
        QTRY_VERIFY(c.received.contains("7\r\nsecond!\r\n"));
        c.socket.abort();
        QTRY_COMPARE(m_clientGone, 1);
        QTRY_VERIFY(!m_streaming); // the responder goes away with its connection
    }

    void streamEndsWithTheTerminatingChunk()
    {
        RawClient c(start());
        c.send("GET /stream HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(m_streaming);
        m_streaming->endStream();
        QTRY_VERIFY(c.received.endsWith("0\r\n\r\n"));
        c.send("GET /after HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:GET /after"));
    }

    void connectionCeilingPausesAccepting()
    {
        HttpLimits l;
        l.maxConnections = 2;
        const quint16 port = start(l);
        RawClient a(port), b(port);
        QTRY_COMPARE(m_server->connectionCount(), 2);
        RawClient third(port);
        third.send("GET /third HTTP/1.1\r\n\r\n");
        QTest::qWait(200);
        QVERIFY2(!third.received.contains("echo"), "no third connection is served while two are open");
        a.socket.abort();
        QTRY_VERIFY(third.received.contains("echo:GET /third"));
    }
};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_HttpServer.moc"
