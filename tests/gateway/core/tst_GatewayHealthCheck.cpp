// Active health checks through the real gateway: an upstream whose breaker is open is probed with
// its health_check request, not with users' requests; while the checks fail every request goes
// to the backup at its first attempt; once one passes the breaker turns half-open, and the next
// request closes it.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QtTest>

namespace {
QByteArray chat(int i)
{
    return QJsonDocument(QJsonObject{{"model", "m-1"},
                                     {"max_tokens", 8},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QStringLiteral("health question %1").arg(i * 7919)}}}}})
        .toJson(QJsonDocument::Compact);
}

void setFault(SimulatorThread &sim, int status)
{
    sim.run([status](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.faultStatus = status;
        p.ttftMs = 0;
        p.tokensPerSecond = 0;
        s->setProfile(p);
    });
}

QJsonObject view(RunningGateway &gw, const QString &name)
{
    return QJsonDocument::fromJson(gw.client().admin("GET", "upstreams/" + name.toUtf8()).body).object();
}
} // namespace

class tst_GatewayHealthCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void anOpenBreakerIsProbedByItsCheckNotByRequests()
    {
        SimulatorThread flaky, live;
        setFault(flaky, 503);
        setFault(live, 0);
        const QJsonObject check{{"method", "POST"},
                                {"path", "/v1/chat/completions"},
                                {"body", QJsonObject{{"model", "m-1"}, {"max_tokens", 1}, {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "ping"}}}}}},
                                {"timeout_ms", 2000}};
        const QJsonObject primary{{"name", "flaky"},
                                  {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(flaky.port())},
                                  {"priority", 0},
                                  {"breaker", QJsonObject{{"consecutive", 2}, {"cooldown_ms", 300}, {"max_cooldown_ms", 300}}},
                                  {"health_check", check}};
        const QJsonObject backup{{"name", "live"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(live.port())}, {"priority", 1}};
        RunningGateway gw;
        QVERIFY(gw.create(QJsonObject{{"upstreams", QJsonArray{primary, backup}}}));
        QList<UpstreamTransitionView> moves;
        connect(gw.host(), &GatewayHost::upstreamBreakerChanged, this, [&](const UpstreamTransitionView &t) {
            if (t.upstream == QLatin1String("flaky") && t.model.isEmpty())
                moves << t;
        });
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        for (int i = 0; i < 2; ++i)
            QCOMPARE(gw.client().call("/v1/chat/completions", chat(i)).headers.value("x-tokenfuse-attempts"), QByteArray("2"));
        QTRY_VERIFY(!moves.isEmpty() && moves.last().to == QLatin1String("open"));
        const quint64 servedWhenOpened = flaky.read(&SimulatorServer::requestsServed);
        QCOMPARE(servedWhenOpened, quint64(2));

        // Several cooldowns pass: each ends in a check, which fails; no request is spent on it.
        QTRY_VERIFY_WITH_TIMEOUT(flaky.read(&SimulatorServer::requestsServed) >= servedWhenOpened + 3, 10000);
        QCOMPARE(moves.last().to, QStringLiteral("open"));
        QVERIFY2(view(gw, "flaky").value("last_probe").toObject().value("result").toString().contains(QLatin1String("answered 503")),
                 qPrintable(QJsonDocument(view(gw, "flaky")).toJson()));
        for (int i = 0; i < 5; ++i) {
            const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", chat(10 + i));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.headers.value("x-tokenfuse-upstream"), QByteArray("live"));
            QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1"));
        }

        // Recovered: the next check passes, the breaker turns half-open, a request closes it.
        setFault(flaky, 0);
        QTRY_VERIFY_WITH_TIMEOUT(moves.last().to == QLatin1String("half_open"), 10000);
        QVERIFY2(moves.last().reason.contains(QLatin1String("health check ok")), qPrintable(moves.last().reason));
        const GatewayClient::Reply back = gw.client().call("/v1/chat/completions", chat(20));
        QCOMPARE(back.status, 200);
        QCOMPARE(back.headers.value("x-tokenfuse-upstream"), QByteArray("flaky"));
        QTRY_COMPARE(moves.last().to, QStringLiteral("closed"));
    }

    void aDeadUpstreamStaysOpenWithoutARequestSpent()
    {
        SimulatorThread live;
        setFault(live, 0);
        quint16 deadPort = 0;
        {
            QTcpServer s;
            QVERIFY(s.listen(QHostAddress::LocalHost, 0));
            deadPort = s.serverPort();
        }
        const QJsonObject dead{{"name", "dead"},
                               {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(deadPort)},
                               {"priority", 0},
                               {"breaker", QJsonObject{{"consecutive", 1}, {"cooldown_ms", 200}, {"max_cooldown_ms", 200}}}};
        const QJsonObject backup{{"name", "live"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(live.port())}, {"priority", 1}};
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{dead, backup}}}), qPrintable(gw.error()));
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(1)).headers.value("x-tokenfuse-attempts"), QByteArray("2"));
        // The default check (GET /v1/models) is refused, again and again.
        QTRY_VERIFY_WITH_TIMEOUT(view(gw, "dead").value("last_probe").toObject().value("result").toString().contains(QLatin1String("refused"), Qt::CaseInsensitive),
                                 10000);
        for (int i = 0; i < 5; ++i) {
            const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", chat(10 + i));
            QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1"));
            QCOMPARE(r.headers.value("x-tokenfuse-upstream"), QByteArray("live"));
        }
        QCOMPARE(view(gw, "dead").value("breaker").toObject().value("state").toString(), QStringLiteral("open"));
    }
};

QTEST_GUILESS_MAIN(tst_GatewayHealthCheck)
#include "tst_GatewayHealthCheck.moc"
