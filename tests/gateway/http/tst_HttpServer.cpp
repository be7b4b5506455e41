// HttpServer over real sockets: framing, keep-alive, pipelining, and every limit with its status.
#include "TestSupport.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QtTest>

#include <QDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int openFileCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
}

// Sends a request head, then as much body as it is told, as fast as the socket takes it, and
// reads whatever comes back: the client that loses an early error answer to a reset.
class UploadClient : public QObject
{
public:
    UploadClient(quint16 port, const QByteArray &head, qint64 bodyBytes) : m_head(head), m_left(bodyBytes)
    {
        connect(&socket, &QTcpSocket::connected, this, [this] { socket.write(m_head); pump(); });
        connect(&socket, &QTcpSocket::bytesWritten, this, [this] { pump(); });
        connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { done = true; });
        connect(&socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError)
                error = socket.errorString();
            done = true;
        });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }
    QTcpSocket socket;
    QByteArray received;
    QString error;
    bool done = false;

private:
    void pump()
    {
        static const QByteArray piece(1024 * 1024, 'x');
        while (m_left > 0 && socket.state() == QAbstractSocket::ConnectedState && socket.bytesToWrite() < 4 * piece.size()) {
            const qint64 n = qMin<qint64>(m_left, piece.size());
            socket.write(piece.constData(), n);
            m_left -= n;
        }
    }
    QByteArray m_head;
    qint64 m_left;
};
// A blocking client on its own thread that, unlike QTcpSocket, does not close when the server's
// side ends: it sends the head and up to `bodyBytes`, ignoring the answer, then holds the socket
// open until `release` (or until the server closes it under a write).
class StubbornClient
{
public:
    StubbornClient(quint16 port, const QByteArray &head, qint64 bodyBytes)
    {
        m_thread = std::thread([this, port, head, bodyBytes] {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a = {};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0
                && ::send(fd, head.constData(), size_t(head.size()), MSG_NOSIGNAL) == head.size()) {
                static const QByteArray piece(64 * 1024, 'x');
                while (sent < bodyBytes) {
                    const ssize_t n = ::send(fd, piece.constData(), size_t(qMin<qint64>(piece.size(), bodyBytes - sent)), MSG_NOSIGNAL);
                    if (n <= 0) {
                        writeFailed = true;
                        break;
                    }
                    sent += n;
                }
            }
            finished = true;
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            ::close(fd);
        });
    }
    ~StubbornClient()
    {
        release = true;
        m_thread.join();
    }
    std::atomic<qint64> sent{0};
    std::atomic<bool> writeFailed{false};
    std::atomic<bool> finished{false};
    std::atomic<bool> release{false};

private:
    std::thread m_thread;
};
} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT
private:
    HttpServer *m_server = nullptr;
    QList<HttpRequest> m_seen;
    int m_clientGone = 0;
    QPointer<HttpResponder> m_streaming;
    QList<QPointer<HttpResponder>> m_held;

    quint16 start(const HttpLimits &limits = {})
    {
        delete m_server;
        m_seen.clear();
        m_held.clear();
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
            } else if (r.path == "/hold") {
                m_held.append(responder);
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

    void silentConnectionGetsTheHeaderTimeout()
    {
        HttpLimits l;
        l.headerTimeoutMs = 200;
        l.keepAliveTimeoutMs = 60'000;
        RawClient c(start(l));
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 3000);
        QVERIFY2(t.elapsed() < 2000, "a connection that never sent a byte must not get the keep-alive timeout");
        QVERIFY2(c.received.isEmpty(), "nothing was asked, so nothing is answered");
    }

    void keepAliveWaitKeepsItsTimeoutUntilTheNextRequestBegins()
    {
        HttpLimits l;
        l.headerTimeoutMs = 200;
        l.keepAliveTimeoutMs = 60'000;
        RawClient c(start(l));
        c.send("GET /a HTTP/1.1\r\n\r\n");
        QTRY_VERIFY(c.received.contains("echo:GET /a"));
        QTest::qWait(600); // three header timeouts: an idle keep-alive connection must outlive them
        QVERIFY(!c.closed);
        c.received.clear();
        c.send("GET /b HTTP/1.1\r\nX-Slow: ");
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 3000);
        QVERIFY2(c.received.startsWith("HTTP/1.1 408"), c.received.left(80).constData());
        QVERIFY(t.elapsed() < 2000);
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

    void earlyErrorAnswerReachesAClientStillSending()
    {
        const quint16 port = start(); // the default 32 MiB body limit
        for (int round = 0; round < 4; ++round) {
            UploadClient c(port, "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 67108864\r\n\r\n", 64 * 1024 * 1024);
            QTRY_VERIFY_WITH_TIMEOUT(c.done, 10'000);
            QVERIFY2(c.received.startsWith("HTTP/1.1 413"), qPrintable(QStringLiteral("round %1: %2 / %3").arg(round).arg(QString::fromLatin1(c.received.left(60)), c.error)));
            const QJsonObject o = QJsonDocument::fromJson(c.received.mid(c.received.indexOf("\r\n\r\n") + 4)).object();
            QCOMPARE(o.value("status").toInt(), 413);
        }
        QVERIFY(m_seen.isEmpty());
    }

    void headersTooLargeReachAClientStillSending()
    {
        HttpLimits l;
        l.maxHeaderBytes = 4096;
        const quint16 port = start(l);
        for (int round = 0; round < 3; ++round) {
            // Header bytes that never end: the answer must still arrive before the close.
            UploadClient c(port, "GET /v1/messages HTTP/1.1\r\nX-Big: ", 16 * 1024 * 1024);
            QTRY_VERIFY_WITH_TIMEOUT(c.done, 10'000);
            QVERIFY2(c.received.startsWith("HTTP/1.1 431"), qPrintable(QStringLiteral("round %1: %2 / %3").arg(round).arg(QString::fromLatin1(c.received.left(60)), c.error)));
            QCOMPARE(QJsonDocument::fromJson(c.received.mid(c.received.indexOf("\r\n\r\n") + 4)).object().value("shape").toString(), QStringLiteral("anthropic"));
        }
    }

    void lingeringEndsForAClientThatNeverCloses()
    {
        HttpLimits l;
        l.maxBodyBytes = 1024;
        l.lingerMs = 300;
        const quint16 port = start(l);
        StubbornClient c(port, "POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 0);
        QTRY_COMPARE(m_server->connectionCount(), 1);
        QElapsedTimer t;
        t.start();
        // The client neither sends more nor closes: the server closes when the lingering time is up.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 3000);
        QVERIFY(t.elapsed() >= 200);
        QVERIFY(!c.release);
    }

    void lingeringEndsAfterItsByteBound()
    {
        HttpLimits l;
        l.maxBodyBytes = 1024;
        l.lingerMs = 60'000;
        l.lingerMaxBytes = 256 * 1024;
        const quint16 port = start(l);
        // Far more than the bound, from a client that never reads or closes: the server stops
        // dropping input and closes long before the 60 s lingering time, and the writes fail.
        StubbornClient c(port, "POST / HTTP/1.1\r\nContent-Length: 67108864\r\n\r\n", 64 * 1024 * 1024);
        QTRY_VERIFY_WITH_TIMEOUT(c.finished, 10'000);
        QVERIFY(c.writeFailed);
        QVERIFY2(c.sent < 32 * 1024 * 1024, qPrintable(QString::number(c.sent)));
        QTRY_COMPARE(m_server->connectionCount(), 0);
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

    void steadySlowBodyIsNotTimedOut()
    {
        HttpLimits l;
        l.bodyTimeoutMs = 300;
        l.minBodyBytesPerSecond = 50; // at least 15 bytes in each 300 ms window
        RawClient c(start(l));
        c.send("POST /trickle HTTP/1.1\r\nContent-Length: 200\r\n\r\n");
        int sent = 0;
        QTimer trickle;
        connect(&trickle, &QTimer::timeout, this, [&] {
            if (sent < 200) {
                c.send(QByteArray(20, 't'));
                sent += 20;
            }
        });
        trickle.start(100); // 200 bytes/s for a second: over three windows
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("echo:POST /trickle"), 5000);
        QVERIFY(!c.received.contains("408"));
    }

    void stalledBodyIsTimedOutByTheProgressWindow()
    {
        HttpLimits l;
        l.bodyTimeoutMs = 300;
        l.minBodyBytesPerSecond = 1000; // at least 300 bytes in each window
        RawClient c(start(l));
        c.send("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + QByteArray(100, 's'));
        QTRY_VERIFY(c.closed);
        QVERIFY(c.received.startsWith("HTTP/1.1 408"));
        QVERIFY(c.received.contains("bytes per second"));
        QCOMPARE(m_server->heldBodyBytes(), qint64(0));
    }
};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_HttpServer.moc"
