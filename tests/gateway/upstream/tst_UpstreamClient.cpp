// UpstreamClient over real sockets against a server on its own thread: concurrency far past
// QNetworkAccessManager's six per host, keep-alive reuse, abort, timeouts, framing, TLS verification.
#include "CountingUpstream.h"
#include "FastUpstream.h"
#include "TestSupport.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QPointer>
#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <atomic>

// A test upstream on its own thread. /hold answers nothing until `holdUntil` requests are open at
// once, then streams a few chunks to each; /never never answers; /echo answers at once.
class TestUpstream : public QObject
{
public:
    std::atomic<int> open{0};
    std::atomic<int> maxOpen{0};
    std::atomic<int> gone{0};
    std::atomic<int> served{0};
    int holdUntil = 0;
    QList<QPointer<HttpResponder>> held;
    QSet<quint64> connectionIds;
    HttpServer *server = nullptr;

    void setUp()
    {
        server = new HttpServer(this);
        HttpLimits l;
        l.maxConnections = 5000;
        server->setLimits(l);
        server->setHandler([this](const HttpRequest &r, HttpResponder *responder) {
            connectionIds.insert(r.connectionId);
            const int now = ++open;
            maxOpen = qMax(maxOpen.load(), now);
            connect(responder, &HttpResponder::clientGone, this, [this] { ++gone; --open; });
            HttpHeaders h;
            h.add("content-type", "text/event-stream");
            if (r.path == "/hold") {
                held.append(responder);
                if (held.size() >= holdUntil) {
                    for (const auto &p : std::as_const(held)) {
                        if (!p)
                            continue;
                        p->beginStream(200, h);
                        for (int i = 0; i < 3; ++i)
                            p->writeChunk("data: " + QByteArray::number(i) + "\n\n");
                        p->endStream();
                        --open;
                        ++served;
                    }
                    held.clear();
                }
            } else if (r.path == "/never") {
                held.append(responder);
            } else if (r.path == "/stall") {
                responder->beginStream(200, h);
                responder->writeChunk("data: 1\n\n");
                held.append(responder);
            } else {
                responder->respond(200, h, "echo " + r.body);
                --open;
                ++served;
            }
        });
        server->listen(QHostAddress::LocalHost, 0);
    }
};


namespace {
struct Outcome
{
    bool finished = false;
    int failure = -1;
    QString message;
    QByteArray body;
    bool done() const { return finished || failure != -1; }
};

void watch(UpstreamCall *call, Outcome *o)
{
    QObject::connect(call, &UpstreamCall::dataReceived, call, [o](const QByteArray &d) { o->body += d; });
    QObject::connect(call, &UpstreamCall::finished, call, [o] { o->finished = true; });
    QObject::connect(call, &UpstreamCall::failed, call, [o](UpstreamCall::Failure f, const QString &m) { o->failure = int(f); o->message = m; });
}
} // namespace

class tst_UpstreamClient : public QObject
{
    Q_OBJECT
private:
    QThread m_thread;
    TestUpstream *m_upstream = nullptr;
    quint16 m_port = 0;

    UpstreamRequest request(const QByteArray &path, const QByteArray &body = "x")
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
        r.body = body;
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        m_upstream = new TestUpstream;
        m_upstream->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(m_upstream, [this] { m_upstream->setUp(); m_port = m_upstream->server->serverPort(); },
                                  Qt::BlockingQueuedConnection);
        QVERIFY(m_port != 0);
    }

    void cleanupTestCase()
    {
        QMetaObject::invokeMethod(m_upstream, [this] { delete m_upstream; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    void holdsAThousandConcurrentStreamsToOneHost()
    {
        constexpr int N = 1000;
        QMetaObject::invokeMethod(m_upstream, [this] { m_upstream->holdUntil = N; m_upstream->maxOpen = 0; },
                                  Qt::BlockingQueuedConnection);
        UpstreamClient client;
        int finished = 0, failed = 0;
        QByteArray sample;
        QList<UpstreamCall *> calls;
        for (int i = 0; i < N; ++i) {
            UpstreamCall *call = client.start(request("/hold"));
            connect(call, &UpstreamCall::dataReceived, this, [&sample](const QByteArray &d) { if (sample.size() < 64) sample += d; });
            connect(call, &UpstreamCall::finished, this, [&finished] { ++finished; });
            connect(call, &UpstreamCall::failed, this, [&failed](UpstreamCall::Failure, const QString &m) { ++failed; qWarning() << m; });
            calls.append(call);
        }
        // The upstream answers only once all N are open at the same time.
        QTRY_COMPARE_WITH_TIMEOUT(finished + failed, N, 60000);
        QCOMPARE(failed, 0);
        QCOMPARE(m_upstream->maxOpen.load(), N);
        QVERIFY(sample.startsWith("data: 0\n\ndata: 1\n\n"));
        qDeleteAll(calls);
    }

    void keepAliveReusesTheConnection()
    {
        UpstreamClient client;
        QMetaObject::invokeMethod(m_upstream, [this] { m_upstream->connectionIds.clear(); }, Qt::BlockingQueuedConnection);
        for (int i = 0; i < 5; ++i) {
            std::unique_ptr<UpstreamCall> call(client.start(request("/echo", "n" + QByteArray::number(i))));
            QByteArray body;
            bool done = false;
            connect(call.get(), &UpstreamCall::dataReceived, this, [&body](const QByteArray &d) { body += d; });
            connect(call.get(), &UpstreamCall::finished, this, [&done] { done = true; });
            QTRY_VERIFY(done);
            QCOMPARE(body, "echo n" + QByteArray::number(i));
            QCOMPARE(call->status(), 200);
        }
        int ids = 0;
        QMetaObject::invokeMethod(m_upstream, [&] { ids = int(m_upstream->connectionIds.size()); }, Qt::BlockingQueuedConnection);
        QCOMPARE(ids, 1);
        QCOMPARE(client.idleConnections(), 1);
    }

    void abortClosesTheUpstreamConnection()
    {
        UpstreamClient client;
        const int goneBefore = m_upstream->gone.load();
        UpstreamCall *call = client.start(request("/stall"));
        bool gotData = false;
        connect(call, &UpstreamCall::dataReceived, this, [&gotData] { gotData = true; });
        QTRY_VERIFY(gotData);
        call->abort();
        QTRY_COMPARE(m_upstream->gone.load(), goneBefore + 1);
        QCOMPARE(client.openConnections(), 0);
        delete call;
    }

    void deletingACallAbortsIt()
    {
        UpstreamClient client;
        const int goneBefore = m_upstream->gone.load();
        UpstreamCall *call = client.start(request("/never"));
        QTest::qWait(100);
        delete call;
        QTRY_COMPARE(m_upstream->gone.load(), goneBefore + 1);
    }

    void timeouts_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("expected");
        QTest::newRow("first byte") << QByteArray("/never") << int(UpstreamCall::Failure::FirstByteTimeout);
        QTest::newRow("idle") << QByteArray("/stall") << int(UpstreamCall::Failure::IdleTimeout);
    }

    void timeouts()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, expected);
        UpstreamClient client;
        UpstreamRequest r = request(path);
        r.timeouts.firstByteMs = 200;
        r.timeouts.idleMs = 200;
        std::unique_ptr<UpstreamCall> call(client.start(r));
        int failure = -1;
        connect(call.get(), &UpstreamCall::failed, this, [&failure](UpstreamCall::Failure f, const QString &) { failure = int(f); });
        QTRY_VERIFY(failure != -1);
        QCOMPARE(failure, expected);
        QVERIFY(call->isTimeout());
    }

    void totalTimeoutBoundsTheWholeExchange()
    {
        UpstreamClient client;
        UpstreamRequest r = request("/never");
        r.timeouts.totalMs = 150;
        std::unique_ptr<UpstreamCall> call(client.start(r));
        int failure = -1;
        connect(call.get(), &UpstreamCall::failed, this, [&failure](UpstreamCall::Failure f, const QString &) { failure = int(f); });
        QTRY_COMPARE(failure, int(UpstreamCall::Failure::TotalTimeout));
    }

    void connectionRefusedFailsAtOnce()
    {
        UpstreamClient client;
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(TestSupport::freePort()));
        std::unique_ptr<UpstreamCall> call(client.start(r));
        int failure = -1;
        QString message;
        connect(call.get(), &UpstreamCall::failed, this, [&](UpstreamCall::Failure f, const QString &m) { failure = int(f); message = m; });
        QTRY_COMPARE(failure, int(UpstreamCall::Failure::Connect));
        QVERIFY2(message.contains(QLatin1String("127.0.0.1")), qPrintable(message));
    }

    void responseFraming_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << QByteArray("hello") << true;
        QTest::newRow("chunked") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n") << QByteArray("hello") << true;
        QTest::newRow("until close") << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello") << QByteArray("hello") << true;
        QTest::newRow("cut short") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello") << QByteArray("hello") << false;
        QTest::newRow("garbage") << QByteArray("NOT HTTP AT ALL\r\n\r\n") << QByteArray() << false;
    }

    void responseFraming()
    {
        QFETCH(QByteArray, response);
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        // A one-shot raw server: sends the canned bytes, then closes.
        QTcpServer raw;
        raw.listen(QHostAddress::LocalHost, 0);
        connect(&raw, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *s = raw.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [s, response] {
                s->readAll();
                s->write(response);
                s->disconnectFromHost();
            });
        });
        UpstreamClient client;
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(raw.serverPort()));
        std::unique_ptr<UpstreamCall> call(client.start(r));
        QByteArray got;
        int outcome = 0;
        connect(call.get(), &UpstreamCall::dataReceived, this, [&got](const QByteArray &d) { got += d; });
        connect(call.get(), &UpstreamCall::finished, this, [&outcome] { outcome = 1; });
        connect(call.get(), &UpstreamCall::failed, this, [&outcome](UpstreamCall::Failure, const QString &) { outcome = 2; });
        QTRY_VERIFY(outcome != 0);
        QCOMPARE(outcome == 1, ok);
        QCOMPARE(got, body);
    }

    void requestCarriesHostLengthAndIdentityEncoding()
    {
        QTcpServer raw;
        raw.listen(QHostAddress::LocalHost, 0);
        QByteArray seen;
        connect(&raw, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *s = raw.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [s, &seen] {
                seen += s->readAll();
                if (seen.contains("\r\n\r\nBODY"))
                    s->write("HTTP/1.1 204 No Content\r\n\r\n");
            });
        });
        UpstreamClient client;
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat?x=1").arg(raw.serverPort()));
        r.body = "BODY";
        r.headers.add("accept-encoding", "gzip");
        r.headers.add("authorization", "Bearer k");
        std::unique_ptr<UpstreamCall> call(client.start(r));
        bool done = false;
        connect(call.get(), &UpstreamCall::finished, this, [&done] { done = true; });
        QTRY_VERIFY(done);
        QVERIFY(seen.startsWith("POST /v1/chat?x=1 HTTP/1.1\r\n"));
        QVERIFY(seen.contains(QStringLiteral("Host: 127.0.0.1:%1\r\n").arg(raw.serverPort()).toUtf8()));
        QVERIFY(seen.contains("Content-Length: 4\r\n"));
        QVERIFY(seen.contains("Accept-Encoding: identity\r\n"));
        QVERIFY(!seen.contains("gzip"));
        QVERIFY(seen.contains("authorization: Bearer k\r\n"));
    }

    void aPostTheUpstreamReadIsNeverSentAgain_data()
    {
        QTest::addColumn<int>("answered");
        // 1: the first call is answered and its connection kept alive; the second goes out on that
        // reused connection. 0: the very first call, on a fresh connection, is read and dropped.
        QTest::newRow("reused connection") << 1;
        QTest::newRow("fresh connection") << 0;
    }

    void aPostTheUpstreamReadIsNeverSentAgain()
    {
        QFETCH(int, answered);
        CountingUpstream upstream;
        upstream.answered = answered;
        UpstreamClient client;
        UpstreamRequest r;
        r.url = upstream.url();
        r.body = "{}";
        if (answered) {
            std::unique_ptr<UpstreamCall> first(client.start(r));
            Outcome o;
            watch(first.get(), &o);
            QTRY_VERIFY(o.done());
            QVERIFY(o.finished);
            QCOMPARE(o.body, QByteArray("{}"));
            QCOMPARE(client.idleConnections(), 1);
        }
        std::unique_ptr<UpstreamCall> call(client.start(r));
        Outcome o;
        watch(call.get(), &o);
        QTRY_VERIFY(o.done());
        // A re-send would have gone out before the call was reported failed.
        QCOMPARE(upstream.posts, answered + 1);
        QCOMPARE(upstream.connections, 1);
        QCOMPARE(client.openConnections(), 0);
        QCOMPARE(o.failure, int(UpstreamCall::Failure::ClosedEarly));
        QVERIFY2(o.message.contains(QLatin1String("not re-sent")), qPrintable(o.message));
    }

    void aStaleIdleConnectionIsReplacedByAFreshOne()
    {
        CountingUpstream upstream;
        upstream.answered = 2;
        UpstreamClient client;
        UpstreamRequest r;
        r.url = upstream.url();
        {
            std::unique_ptr<UpstreamCall> first(client.start(r));
            Outcome o;
            watch(first.get(), &o);
            QTRY_VERIFY(o.finished);
        }
        QCOMPARE(client.idleConnections(), 1);
        // The upstream closes the kept-alive connection while it is idle, and the client starts the
        // next call before its event loop has seen the close: only a look at the socket can tell.
        QCOMPARE(upstream.sockets.size(), 1);
        upstream.sockets.first()->close();
        std::unique_ptr<UpstreamCall> call(client.start(r));
        Outcome o;
        watch(call.get(), &o);
        QTRY_VERIFY(o.done());
        QVERIFY2(o.finished, qPrintable(o.message));
        QCOMPARE(o.body, QByteArray("{}"));
        QCOMPARE(upstream.posts, 2);
        QCOMPARE(upstream.connections, 2);
    }

    void pausedReadingHoldsTheUpstreamBack()
    {
        constexpr qint64 total = 64 * 1024 * 1024;
        FastUpstream upstream(total);
        UpstreamClient client;
        UpstreamRequest r;
        r.url = upstream.url();
        r.timeouts.idleMs = 300; // shorter than the pause below: a pause must not count as silence
        std::unique_ptr<UpstreamCall> call(client.start(r));
        Outcome o;
        watch(call.get(), &o);
        connect(call.get(), &UpstreamCall::dataReceived, this, [&call] { call->setReadPaused(true); });
        QTRY_VERIFY(call->isReadPaused());
        QVERIFY(upstream.waitUntilHeldBack(600, 20000));
        const qint64 ahead = upstream.bodyBytesAccepted();
        qInfo("upstream got %lld bytes ahead while reading was paused (%lld received)", ahead, qint64(o.body.size()));
        // Kernel buffers on both ends plus Qt's bounded read buffer, nowhere near the whole answer.
        QVERIFY2(ahead < 8 * 1024 * 1024, qPrintable(QString::number(ahead)));
        QVERIFY(!o.done());
        const qsizetype before = o.body.size();
        disconnect(call.get(), &UpstreamCall::dataReceived, this, nullptr); // no more pausing
        call->setReadPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(o.done(), 30000);
        QVERIFY2(o.finished, qPrintable(o.message));
        QVERIFY(o.body.size() > before);
        QCOMPARE(o.body.size(), upstream.body().size());
        QVERIFY(o.body == upstream.body());
    }

    void aCloseWhilePausedWaitsForTheBytesBeforeIt()
    {
        // An answer delimited by the end of the connection: its last bytes and the close arrive
        // while reading is paused. The close must not end the answer before those bytes are read.
        QTcpServer raw;
        raw.listen(QHostAddress::LocalHost, 0);
        QPointer<QTcpSocket> server;
        connect(&raw, &QTcpServer::newConnection, this, [&] {
            server = raw.nextPendingConnection();
            connect(server, &QTcpSocket::readyRead, server, [&server] {
                server->readAll();
                server->write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst;");
            });
        });
        UpstreamClient client;
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(raw.serverPort()));
        std::unique_ptr<UpstreamCall> call(client.start(r));
        Outcome o;
        watch(call.get(), &o);
        auto stop = connect(call.get(), &UpstreamCall::dataReceived, this, [&call] { call->setReadPaused(true); });
        QTRY_VERIFY(call->isReadPaused());
        disconnect(stop);
        const QByteArray rest(50 * 1024, 'r');
        server->write(rest);
        server->disconnectFromHost();
        QTRY_VERIFY(!server || server->state() == QAbstractSocket::UnconnectedState);
        // Let the client's event loop see the bytes and the close while it is paused.
        QTest::qWait(300);
        QVERIFY2(!o.done(), qPrintable(o.message));
        call->setReadPaused(false);
        QTRY_VERIFY(o.done());
        QVERIFY2(o.finished, qPrintable(o.message));
        QCOMPARE(o.body, "first;" + rest);
    }

    void tlsCertificatesAreVerified()
    {
        // A TLS server with a self-signed certificate: the client must refuse it.
        QTemporaryDir dir;
        const int rc = QProcess::execute(QStringLiteral("openssl"),
            {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-keyout", dir.filePath("key.pem"), "-out", dir.filePath("cert.pem")});
        QCOMPARE(rc, 0);
        QFile certFile(dir.filePath("cert.pem")), keyFile(dir.filePath("key.pem"));
        QVERIFY(certFile.open(QIODevice::ReadOnly) && keyFile.open(QIODevice::ReadOnly));
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(QSslCertificate(certFile.readAll()));
        config.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
        QSslServer server;
        server.setSslConfiguration(config);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        UpstreamClient client;
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("https://127.0.0.1:%1/v1/chat/completions").arg(server.serverPort()));
        std::unique_ptr<UpstreamCall> call(client.start(r));
        int failure = -1;
        QString message;
        connect(call.get(), &UpstreamCall::failed, this, [&](UpstreamCall::Failure f, const QString &m) { failure = int(f); message = m; });
        QTRY_VERIFY_WITH_TIMEOUT(failure != -1, 10000);
        QCOMPARE(failure, int(UpstreamCall::Failure::Tls));
        QVERIFY2(!message.isEmpty(), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamClient)
#include "tst_UpstreamClient.moc"
