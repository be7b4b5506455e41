// ProxyExchange through a real gateway on its own thread, between a real client and a test upstream
// in this thread: a request the upstream may have read is never sent to it twice (a 502 in the
// caller's dialect instead), and a client that stops reading holds the upstream back rather than
// letting the stream pile up in the gateway's memory.
#include "CountingUpstream.h"
#include "FastUpstream.h"
#include "TestSupport.h"
#include "core/GatewayHost.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {
struct Reply
{
    int status = 0;
    QByteArray body;
    bool finished = false;
    bool failed = false;
    bool done() const { return finished || failed; }
};
} // namespace

class tst_ProxyExchange : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<GatewayHost> m_host;
    quint16 m_port = 0;
    UpstreamClient m_client;

    // A gateway whose one upstream (for gpt-* and claude-* alike) is `base`.
    bool startGateway(const QUrl &base, const QString &dialect)
    {
        QJsonObject upstream{{"name", "test"}, {"base_url", base.toString()}, {"dialect", dialect},
                             {"models", QJsonArray{"gpt-*", "claude-*"}},
                             // Shorter than any pause below: a pause of ours must not count as the upstream's silence.
                             {"timeouts_ms", QJsonObject{{"idle", 500}}}};
        QString error;
        auto config = GatewayConfig::fromJson(QJsonObject{{"upstreams", QJsonArray{upstream}}}, &error);
        if (!config) {
            qWarning() << error;
            return false;
        }
        config->listenPort = 0;
        config->dataDir = m_dataDir.path();
        m_host = std::make_unique<GatewayHost>(*config);
        QSignalSpy started(m_host.get(), &GatewayHost::started);
        m_host->start();
        if (!started.wait(5000))
            return false;
        m_port = quint16(started.at(0).at(0).toString().section(QLatin1Char(':'), -1).toUInt());
        return m_port != 0;
    }

    UpstreamCall *send(const QByteArray &path, const QJsonObject &body, Reply *reply)
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        r.headers.add("content-type", "application/json");
        r.headers.add("x-session-id", "tst");
        UpstreamCall *call = m_client.start(r);
        connect(call, &UpstreamCall::responseStarted, this, [reply](int s, const HttpHeaders &) { reply->status = s; });
        connect(call, &UpstreamCall::dataReceived, this, [reply](const QByteArray &d) { reply->body += d; });
        connect(call, &UpstreamCall::finished, this, [reply] { reply->finished = true; });
        connect(call, &UpstreamCall::failed, this, [reply](UpstreamCall::Failure, const QString &) { reply->failed = true; });
        return call;
    }

private Q_SLOTS:
    void cleanup()
    {
        if (m_host)
            m_host->stop();
        m_host.reset();
    }

    void aPostTheUpstreamReadIsNotSentTwice_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("openai") << QStringLiteral("openai");
        QTest::newRow("anthropic") << QStringLiteral("anthropic");
    }

    void aPostTheUpstreamReadIsNotSentTwice()
    {
        QFETCH(QString, dialect);
        const bool anthropic = dialect == QLatin1String("anthropic");
        CountingUpstream upstream;
        upstream.answered = 1;
        QVERIFY(startGateway(upstream.url(anthropic ? QString() : QStringLiteral("/v1")), dialect));
        const QByteArray path = anthropic ? "/v1/messages" : "/v1/chat/completions";
        const QJsonObject body{{"model", anthropic ? "claude-x" : "gpt-x"}, {"max_tokens", 16},
                               {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}};
        // The first call is answered and leaves a kept-alive connection in the gateway's pool; the
        // upstream reads the second on it and closes without answering.
        for (int i = 0; i < 2; ++i) {
            Reply reply;
            std::unique_ptr<UpstreamCall> call(send(path, body, &reply));
            QTRY_VERIFY_WITH_TIMEOUT(reply.done(), 10000);
            QVERIFY(reply.finished);
            if (i == 0) {
                QCOMPARE(reply.status, 200);
                continue;
            }
            QCOMPARE(upstream.posts, 2);
            QCOMPARE(reply.status, 502);
            const QJsonObject json = QJsonDocument::fromJson(reply.body).object();
            const QJsonObject error = json.value(QLatin1String("error")).toObject();
            if (anthropic) {
                QCOMPARE(json.value(QLatin1String("type")).toString(), QStringLiteral("error"));
                QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("api_error"));
            } else {
                QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("upstream_error"));
            }
            const QString message = error.value(QLatin1String("message")).toString();
            QVERIFY2(message.contains(QLatin1String("not re-sent because it may have been processed")), qPrintable(message));
        }
        QCOMPARE(upstream.posts, 2);
    }

    void aClientThatStopsReadingHoldsTheUpstreamBack()
    {
        constexpr qint64 total = 64 * 1024 * 1024;
        FastUpstream upstream(total);
        QVERIFY(startGateway(upstream.url(QStringLiteral("/v1")), QStringLiteral("openai")));
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send("/v1/chat/completions",
            QJsonObject{{"model", "gpt-x"}, {"stream", true},
                        {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}}, &reply));
        // This client stops reading its socket after the first piece, as a stalled consumer does.
        auto stop = connect(call.get(), &UpstreamCall::dataReceived, this, [&call] { call->setReadPaused(true); });
        QTRY_VERIFY_WITH_TIMEOUT(call->isReadPaused(), 10000);
        QVERIFY(upstream.waitUntilHeldBack(1500, 30000));
        const qint64 ahead = upstream.bodyBytesAccepted();
        qInfo("the upstream got %lld of %lld bytes ahead of a client that read %lld", ahead, qint64(upstream.body().size()),
              qint64(reply.body.size()));
        // What the upstream got ahead sits in kernel socket buffers (the upstream's send buffer, the
        // gateway's receive buffer, which Linux grows up to tcp_rmem's maximum while the gateway still
        // reads fast, and the gateway's send buffer), plus at most about a megabyte in the gateway
        // itself. Without flow control the whole answer piles up in the gateway.
        QVERIFY2(ahead < 24 * 1024 * 1024, qPrintable(QString::number(ahead)));
        QVERIFY(!reply.done());
        // The client reads again: it gets every byte, in order, and the normal end.
        disconnect(stop);
        call->setReadPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(reply.done(), 60000);
        QVERIFY(reply.finished);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.size(), upstream.body().size());
        QVERIFY(reply.body == upstream.body());
        QCOMPARE(upstream.requests(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_ProxyExchange)
#include "tst_ProxyExchange.moc"
