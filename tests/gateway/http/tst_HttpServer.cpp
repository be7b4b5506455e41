// HttpServer over real sockets: framing, keep-alive, pipelining, every limit with its status, the
// connection cap under a flood of idle connections and the budget for held request bodies.
#include "HttpServerFixture.h"

#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

class tst_HttpServer : public HttpServerFixture
{
    Q_OBJECT
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
        QTest::newRow("impossible chunk size") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nabc") << 413 << QByteArray("openai");
        QTest::newRow("chunk size past the limit") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\nabc") << 413 << QByteArray("openai");
        QTest::newRow("chunk size overflowing 64 bits") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nabc") << 400 << QByteArray("openai");
        QTest::newRow("content-length of 2^63") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\nabc") << 413 << QByteArray("openai");
        QTest::newRow("content-length too large, body under way") << QByteArray("POST /v1/messages HTTP/1.1\r\nContent-Length: 5000\r\n\r\nabc") << 413 << QByteArray("anthropic");
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

    void idleFloodDoesNotLockOutANewClient()
    {
        TestSupport::raiseFileLimit();
        HttpLimits l;
        l.maxConnections = 50;
        const quint16 port = start(l);
        const int before = openFileCount();
        const int idle = 200;
        std::vector<std::unique_ptr<RawClient>> flood;
        for (int i = 0; i < idle; ++i)
            flood.push_back(std::make_unique<RawClient>(port));
        QTRY_VERIFY(std::all_of(flood.begin(), flood.end(), [](const auto &c) { return c->socket.state() != QAbstractSocket::ConnectingState; }));
        QTRY_COMPARE(m_server->connectionCount(), 50);
        // The client side holds `idle` sockets; the server side must hold no more than its cap.
        QVERIFY2(openFileCount() - before <= idle + 50 + 2, qPrintable(QString::number(openFileCount() - before)));
        RawClient fresh(port);
        fresh.send("GET /healthz HTTP/1.1\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(fresh.received.contains("echo:GET /healthz"), 2000);
        QVERIFY(m_server->connectionCount() <= 50);
        QVERIFY(openFileCount() - before <= idle + 1 + 50 + 2);
        const auto evicted = std::count_if(flood.begin(), flood.end(), [](const auto &c) { return c->closed; });
        QVERIFY2(evicted >= idle + 1 - 50, qPrintable(QString::number(evicted)));
    }

    void evictionSparesAConnectionWhoseRequestHasArrived()
    {
        HttpLimits l;
        l.maxConnections = 2;
        const quint16 port = start(l);
        // Blocking connects and sends while this thread runs no event loop: all three wait in the
        // listen backlog, and the server accepts them in one pass before reading any of them.
        auto connectAndSend = [port](const QByteArray &bytes) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a = {};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
                || ::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) != bytes.size())
                qFatal("connect or send failed");
            return fd;
        };
        const int asking = connectAndSend("GET /first HTTP/1.1\r\n\r\n");
        const int silent = connectAndSend({});
        const int third = connectAndSend("GET /third HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(m_seen.size(), 2);
        QCOMPARE(m_seen.at(0).path, QByteArray("/first"));
        QCOMPARE(m_seen.at(1).path, QByteArray("/third"));
        char byte = 0;
        QCOMPARE(::recv(silent, &byte, 1, 0), ssize_t(0)); // the silent one made room: closed
        for (int fd : {asking, silent, third})
            ::close(fd);
    }

    void atTheCapWithNoIdleConnectionANewOneIsClosedAtOnce()
    {
        HttpLimits l;
        l.maxConnections = 2;
        const quint16 port = start(l);
        RawClient a(port), b(port);
        a.send("GET /hold HTTP/1.1\r\n\r\n");
        b.send("GET /hold HTTP/1.1\r\n\r\n");
        QTRY_COMPARE(m_held.size(), 2);
        RawClient third(port);
        QTRY_VERIFY(third.closed);
        QVERIFY(third.received.isEmpty());
        QCOMPARE(m_server->connectionCount(), 2);
        // Accepting waits while every connection is busy; the next client queues in the backlog and
        // is served once a connection becomes idle (and is closed to make room).
        RawClient fourth(port);
        fourth.send("GET /fourth HTTP/1.1\r\n\r\n");
        HttpHeaders h;
        m_held.at(0)->respond(200, h, "released");
        QTRY_VERIFY(a.received.contains("released"));
        QTRY_VERIFY(fourth.received.contains("echo:GET /fourth"));
        QTRY_VERIFY(a.closed);
        QVERIFY(!b.closed);
    }

    void heldBodiesStayWithinTheServerBudget()
    {
        HttpLimits l;
        l.maxBodyBytes = 64 * 1024;
        l.maxHeldBodyBytes = 100 * 1024;
        const quint16 port = start(l);
        const QByteArray part(1000, 'p');
        RawClient first(port);
        first.send("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 60000\r\n\r\n" + part);
        QTRY_COMPARE(m_server->heldBodyBytes(), qint64(60000));
        RawClient second(port);
        second.send("POST /v1/messages HTTP/1.1\r\nContent-Length: 60000\r\n\r\n" + part);
        QTRY_VERIFY(second.closed);
        QVERIFY2(second.received.startsWith("HTTP/1.1 503"), second.received.left(80).constData());
        const QJsonObject o = QJsonDocument::fromJson(second.received.mid(second.received.indexOf("\r\n\r\n") + 4)).object();
        QCOMPARE(o.value("shape").toString(), QStringLiteral("anthropic"));
        QVERIFY2(o.value("message").toString().contains("retry"), qPrintable(o.value("message").toString()));
        QCOMPARE(m_server->heldBodyBytes(), qint64(60000));

        // Chunked: the budget is taken chunk by chunk and refused when a chunk would pass it.
        RawClient chunked(port);
        chunked.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2710\r\n" + QByteArray(10000, 'c') + "\r\n");
        QTRY_COMPARE(m_server->heldBodyBytes(), qint64(70000));
        chunked.send("9c40\r\n" + part); // 40000 more would be 110000 held
        QTRY_VERIFY(chunked.closed);
        QVERIFY2(chunked.received.startsWith("HTTP/1.1 503"), chunked.received.left(80).constData());
        QTRY_COMPARE(m_server->heldBodyBytes(), qint64(60000));
        QVERIFY(m_seen.isEmpty());

        // Finishing the first body hands it over; the budget comes back when its answer is done.
        first.send(QByteArray(59000, 'p'));
        QTRY_VERIFY(first.received.contains("echo:POST"));
        QTRY_COMPARE(m_server->heldBodyBytes(), qint64(0));
        RawClient after(port);
        after.send("POST / HTTP/1.1\r\nContent-Length: 60000\r\n\r\n" + QByteArray(60000, 'a'));
        QTRY_VERIFY(after.received.contains("echo:POST"));
    }

};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_HttpServer.moc"
