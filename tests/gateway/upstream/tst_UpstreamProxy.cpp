// UpstreamClient through a real HTTP proxy (tinyproxy, started here on a free port): http://
// upstreams in absolute form, https:// ones in a CONNECT tunnel with the upstream's certificate
// verified against a CA bundle, NO_PROXY going direct, a proxy asking for credentials, a proxy
// that is down. The upstreams are named "localhost" and the lists say "<-loopback>", so the proxy
// is used for them (loopback goes direct otherwise; see UpstreamNetwork::bypassesProxy).
#include "TestSupport.h"
#include "TinyproxyProcess.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

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

const QByteArray kAnswer = R"({"id":"chatcmpl-1","object":"chat.completion"})";

// A plain HTTP upstream answering a small JSON, noting the headers of each request it serves.
class JsonUpstream
{
public:
    JsonUpstream()
    {
        m_server.setHandler([this](const HttpRequest &r, HttpResponder *responder) {
            seen.append(r);
            HttpHeaders h;
            h.add("content-type", "application/json");
            responder->respond(200, h, kAnswer);
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://localhost:%1/v1/chat/completions").arg(m_server.serverPort())); }
    QList<HttpRequest> seen;

private:
    HttpServer m_server;
};

// A TLS upstream (QSslServer, in Qt since 6.4) with a certificate for "localhost" made by openssl
// for this run; it answers every request with the small JSON and keeps the raw requests it read.
class TlsUpstream : public QObject
{
public:
    bool setUp(const QString &dir)
    {
        certPath = dir + QStringLiteral("/cert.pem");
        const QString keyPath = dir + QStringLiteral("/key.pem");
        QProcess openssl;
        openssl.setStandardOutputFile(QProcess::nullDevice());
        openssl.setStandardErrorFile(QProcess::nullDevice());
        openssl.start(QStringLiteral("openssl"),
            {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost", "-keyout", keyPath, "-out", certPath});
        const int rc = openssl.waitForFinished(30000) && openssl.exitStatus() == QProcess::NormalExit ? openssl.exitCode() : -1;
        QFile certFile(certPath), keyFile(keyPath);
        if (rc != 0 || !certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return false;
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(QSslCertificate(certFile.readAll()));
        config.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Rsa));
        m_server.setSslConfiguration(config);
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (auto *s = qobject_cast<QSslSocket *>(m_server.nextPendingConnection())) {
                connect(s, &QSslSocket::readyRead, s, [this, s] {
                    QByteArray &in = m_buffers[s];
                    in += s->readAll();
                    if (!in.contains("\r\n\r\n"))
                        return;
                    requests.append(in);
                    in.clear();
                    s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + QByteArray::number(kAnswer.size()) + "\r\n\r\n" + kAnswer);
                });
                connect(s, &QSslSocket::disconnected, s, [this, s] { m_buffers.remove(s); s->deleteLater(); });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("https://localhost:%1/v1/chat/completions").arg(m_server.serverPort())); }
    quint16 port() const { return m_server.serverPort(); }
    QString certPath;
    QList<QByteArray> requests;

private:
    QHash<QSslSocket *, QByteArray> m_buffers; // before the server: its sockets' last signals use it
    QSslServer m_server;
};

UpstreamRequest post(const QUrl &url)
{
    UpstreamRequest r;
    r.url = url;
    r.body = R"({"model":"m","messages":[]})";
    r.headers.add("content-type", "application/json");
    return r;
}

UpstreamNetwork through(const QString &proxyUrl, const QStringList &noProxy = {QStringLiteral("<-loopback>")})
{
    UpstreamNetwork n;
    n.httpProxy = proxyUrl;
    n.httpsProxy = proxyUrl;
    n.noProxy = noProxy;
    return n;
}

// Runs one call to its end.
Outcome run(UpstreamClient &client, const UpstreamRequest &request)
{
    std::unique_ptr<UpstreamCall> call(client.start(request));
    Outcome o;
    watch(call.get(), &o);
    if (!QTest::qWaitFor([&o] { return o.done(); }, 15000))
        o.message = QStringLiteral("(no outcome within 15 s)");
    return o;
}
} // namespace

class tst_UpstreamProxy : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    TlsUpstream m_tls;

private Q_SLOTS:
    void initTestCase()
    {
        if (!TinyproxyProcess::isAvailable())
            QFAIL("tinyproxy is not installed (installer/debian-deps.sh installs it)");
        QVERIFY(m_dir.isValid());
        QVERIFY(m_tls.setUp(m_dir.path()));
    }

    void httpGoesToTheProxyInAbsoluteForm()
    {
        TinyproxyProcess proxy;
        QString error;
        QVERIFY2(proxy.start({}, &error), qPrintable(error));
        JsonUpstream upstream;
        UpstreamClient client;
        QVERIFY(client.setNetwork(through(proxy.url())));
        const Outcome o = run(client, post(upstream.url()));
        QVERIFY2(o.finished, qPrintable(o.message));
        QCOMPARE(o.body, kAnswer);
        // The proxy read the whole URL, and the upstream got the request from the proxy.
        const QByteArray line = "POST " + upstream.url().toEncoded() + " HTTP/1.1";
        QTRY_COMPARE(proxy.requestLines(), QList<QByteArray>{line});
        QCOMPARE(upstream.seen.size(), 1);
        QVERIFY2(upstream.seen.first().headers.value("via").contains("tinyproxy"), upstream.seen.first().headers.value("via").constData());
        QCOMPARE(upstream.seen.first().path, QByteArray("/v1/chat/completions"));
    }

    void httpsGoesThroughAConnectTunnel()
    {
        TinyproxyProcess proxy;
        QString error;
        QVERIFY2(proxy.start({}, &error), qPrintable(error));
        UpstreamClient client;
        QVERIFY2(client.setCaBundle(m_tls.certPath, &error), qPrintable(error));
        QVERIFY(client.setNetwork([&] { auto n = through(proxy.url()); n.caBundle = m_tls.certPath; return n; }()));
        QCOMPARE(client.sslConfiguration().peerVerifyMode(), QSslSocket::AutoVerifyPeer); // VerifyPeer for a client
        const qsizetype before = m_tls.requests.size();
        const Outcome o = run(client, post(m_tls.url()));
        QVERIFY2(o.finished, qPrintable(o.message));
        QCOMPARE(o.body, kAnswer);
        QTRY_COMPARE(proxy.requestLines(), QList<QByteArray>{"CONNECT localhost:" + QByteArray::number(m_tls.port()) + " HTTP/1.1"});
        // Inside the tunnel the request is the upstream's own: origin form, no proxy header.
        QCOMPARE(m_tls.requests.size(), before + 1);
        const QByteArray seen = m_tls.requests.last();
        QVERIFY2(seen.startsWith("POST /v1/chat/completions HTTP/1.1\r\n"), seen.constData());
        QVERIFY(seen.contains("Host: localhost:" + QByteArray::number(m_tls.port()) + "\r\n"));
        QVERIFY(!seen.toLower().contains("proxy-"));
        // The kept-alive tunnel carries the next call too.
        QCOMPARE(client.idleConnections(), 1);
        const Outcome again = run(client, post(m_tls.url()));
        QVERIFY2(again.finished, qPrintable(again.message));
        QCOMPARE(proxy.requestLines().size(), 1);
    }

    void withoutTheBundleTheCertificateIsRefused()
    {
        TinyproxyProcess proxy;
        QString error;
        QVERIFY2(proxy.start({}, &error), qPrintable(error));
        UpstreamClient client;
        QVERIFY(client.setNetwork(through(proxy.url())));
        const qsizetype before = m_tls.requests.size();
        const Outcome o = run(client, post(m_tls.url()));
        QCOMPARE(o.failure, int(UpstreamCall::Failure::Tls));
        QVERIFY2(o.message.contains(QLatin1String("localhost")) && o.message.contains(proxy.url().mid(7)), qPrintable(o.message));
        QTRY_COMPARE(proxy.requestLines().size(), 1); // the tunnel was made; the handshake failed
        QCOMPARE(m_tls.requests.size(), before);
    }

    void noProxyCoveringTheHostGoesDirect_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("http") << false;
        QTest::newRow("https") << true;
    }

    void noProxyCoveringTheHostGoesDirect()
    {
        QFETCH(bool, tls);
        TinyproxyProcess proxy;
        QString error;
        QVERIFY2(proxy.start({}, &error), qPrintable(error));
        JsonUpstream upstream;
        UpstreamClient client;
        UpstreamNetwork n = through(proxy.url(), {QStringLiteral("<-loopback>"), QStringLiteral("localhost")});
        n.caBundle = m_tls.certPath;
        QVERIFY(client.setNetwork(n));
        QVERIFY(client.proxyFor(upstream.url()).isNull());
        const Outcome o = run(client, post(tls ? m_tls.url() : upstream.url()));
        QVERIFY2(o.finished, qPrintable(o.message));
        QCOMPARE(o.body, kAnswer);
        if (!tls) {
            QCOMPARE(upstream.seen.size(), 1);
            QVERIFY(upstream.seen.first().headers.value("via").isEmpty());
        }
        // One more call through the proxy, then the log is read: had the direct call passed the
        // proxy, its line would be there before this one.
        n.noProxy = QStringList{QStringLiteral("<-loopback>")};
        QVERIFY(client.setNetwork(n));
        const Outcome marker = run(client, post(upstream.url()));
        QVERIFY2(marker.finished, qPrintable(marker.message));
        QTRY_COMPARE(proxy.requestLines().size(), 1);
        QVERIFY(proxy.requestLines().first().startsWith("POST http://localhost:"));
        // Pools are per route: the direct connection and the proxied one are two.
        QCOMPARE(client.idleConnections(), 2);
    }

    void aProxyAskingForCredentials_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QString>("userInfo");
        QTest::addColumn<QString>("refusal"); // empty: the call succeeds
        const QString required = QStringLiteral("407 Proxy Authentication Required");
        QTest::newRow("https, none") << true << QString() << QStringLiteral("refused the tunnel: ") + required;
        // tinyproxy answers wrong credentials with a 401.
        QTest::newRow("https, wrong") << true << QStringLiteral("agent:nope") << QStringLiteral("refused the tunnel: 401 Unauthorized");
        QTest::newRow("https, right") << true << QStringLiteral("agent:s3cr%2Et") << QString();
        QTest::newRow("http, none") << false << QString() << QStringLiteral("refused the request: ") + required;
        QTest::newRow("http, right") << false << QStringLiteral("agent:s3cr%2Et") << QString();
    }

    void aProxyAskingForCredentials()
    {
        QFETCH(bool, tls);
        QFETCH(QString, userInfo);
        QFETCH(QString, refusal);
        TinyproxyProcess proxy;
        QString error;
        // The password is "s3cr.t"; the URL carries it percent-encoded, as a password with an "@"
        // must be (tinyproxy's config takes none).
        QVERIFY2(proxy.start({QStringLiteral("BasicAuth agent s3cr.t")}, &error), qPrintable(error));
        JsonUpstream upstream;
        UpstreamClient client;
        UpstreamNetwork n = through(proxy.url(userInfo));
        n.caBundle = m_tls.certPath;
        QVERIFY(client.setNetwork(n, &error));
        const Outcome o = run(client, post(tls ? m_tls.url() : upstream.url()));
        if (refusal.isEmpty()) {
            QVERIFY2(o.finished, qPrintable(o.message));
            QCOMPARE(o.body, kAnswer);
            return;
        }
        QCOMPARE(o.failure, int(UpstreamCall::Failure::Connect));
        const QString expected = QStringLiteral("proxy 127.0.0.1:%1 ").arg(proxy.port()) + refusal;
        QVERIFY2(o.message.contains(expected), qPrintable(o.message));
        QVERIFY2(!o.message.contains(QLatin1String("nope")) && !o.message.contains(QLatin1String("agent")), qPrintable(o.message));
        QVERIFY(upstream.seen.isEmpty());
    }

    void aProxyThatIsDownFailsAtOnce_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("http") << false;
        QTest::newRow("https") << true;
    }

    void aProxyThatIsDownFailsAtOnce()
    {
        QFETCH(bool, tls);
        const quint16 closed = TestSupport::freePort();
        UpstreamClient client;
        QVERIFY(client.setNetwork(through(QStringLiteral("http://user:pw@127.0.0.1:%1").arg(closed))));
        UpstreamRequest r = post(tls ? m_tls.url() : QUrl(QStringLiteral("http://localhost:1/v1/chat/completions")));
        r.timeouts.connectMs = 10'000;
        QElapsedTimer t;
        t.start();
        const Outcome o = run(client, r);
        QCOMPARE(o.failure, int(UpstreamCall::Failure::Connect));
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(o.message.contains(QStringLiteral("proxy 127.0.0.1:%1 can't be reached").arg(closed)), qPrintable(o.message));
        QVERIFY2(!o.message.contains(QLatin1String("pw")), qPrintable(o.message));
    }

    void theNetworkIsCheckedBeforeItIsUsed_data()
    {
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QString>("caBundle");
        QTest::addColumn<QString>("error");
        QTest::newRow("socks proxy") << "socks5://127.0.0.1:1080" << "" << "socks5:// scheme is not supported";
        QTest::newRow("https proxy") << "https://proxy.corp:443" << "" << "https:// scheme is not supported";
        QTest::newRow("no host") << "http://:3128" << "" << "not a URL";
        QTest::newRow("missing bundle") << "" << "/nonexistent/ca.pem" << "/nonexistent/ca.pem can't be read";
        QTest::newRow("empty bundle") << "" << "EMPTY" << "holds no PEM certificate";
        QTest::newRow("scheme-less proxy is http") << "proxy.corp:3128" << "" << "";
    }

    void theNetworkIsCheckedBeforeItIsUsed()
    {
        QFETCH(QString, proxy);
        QFETCH(QString, caBundle);
        QFETCH(QString, error);
        if (caBundle == QLatin1String("EMPTY")) {
            caBundle = m_dir.filePath(QStringLiteral("empty.pem"));
            QFile f(caBundle);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        UpstreamClient client;
        UpstreamNetwork n = through(proxy);
        n.caBundle = caBundle;
        QString why;
        QCOMPARE(client.setNetwork(n, &why), error.isEmpty());
        QVERIFY2(why.contains(error), qPrintable(why));
        if (!caBundle.isEmpty()) {
            QVERIFY(!client.setCaBundle(caBundle, &why));
            QVERIFY2(why.contains(error), qPrintable(why));
        }
        if (error.isEmpty())
            QCOMPARE(client.proxyFor(QUrl(QStringLiteral("https://api.example.com/"))).name(), QStringLiteral("proxy.corp:3128"));
        else
            QVERIFY(client.network().httpsProxy.isEmpty()); // nothing changed
    }
};

QTEST_GUILESS_MAIN(tst_UpstreamProxy)
#include "tst_UpstreamProxy.moc"
