// SessionRegistry, through a running gateway: every exchange in flight is listed under its session
// and its tenant while it runs, and leaves both indices (and the count) once it is done.
#include "GatewayUnderTest.h"
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"
#include "proxy/ProxyExchange.h"
#include "session/SessionRegistry.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {
// What the registry says, read on the gateway thread.
struct View
{
    int inFlight = 0;
    int all = 0;
    QStringList sessionsOfA, sessionsOfB, tenantsOfT1, tenantsOfT2;
    int ofNobody = 0;
};
} // namespace

class tst_SessionRegistry : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    UpstreamClient m_client;

    View view()
    {
        View v;
        Gateway *g = m_host->gatewayForTests();
        QMetaObject::invokeMethod(g, [&] {
            const SessionRegistry &r = g->sessions();
            v.inFlight = r.inFlight();
            v.all = int(r.all().size());
            for (ProxyExchange *e : r.exchangesOfSession(QStringLiteral("sess-a")))
                v.sessionsOfA << e->session() + QLatin1Char('/') + e->tenant();
            for (ProxyExchange *e : r.exchangesOfSession(QStringLiteral("sess-b")))
                v.sessionsOfB << e->session() + QLatin1Char('/') + e->tenant();
            for (ProxyExchange *e : r.exchangesOfTenant(QStringLiteral("ten-1")))
                v.tenantsOfT1 << e->session() + QLatin1Char('/') + e->tenant();
            for (ProxyExchange *e : r.exchangesOfTenant(QStringLiteral("ten-2")))
                v.tenantsOfT2 << e->session() + QLatin1Char('/') + e->tenant();
            v.ofNobody = int(r.exchangesOfSession(QStringLiteral("sess-none")).size());
        }, Qt::BlockingQueuedConnection);
        v.sessionsOfA.sort();
        v.sessionsOfB.sort();
        v.tenantsOfT1.sort();
        v.tenantsOfT2.sort();
        return v;
    }

    UpstreamCall *send(const QByteArray &session, const QByteArray &tenant, bool *done)
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_port));
        r.method = "POST";
        r.body = QJsonDocument(QJsonObject{{"model", "gpt-4o"}, {"max_tokens", 5},
                                           {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}})
                     .toJson(QJsonDocument::Compact);
        r.headers.add("content-type", "application/json");
        r.headers.add("x-session-id", session);
        r.headers.add("x-tenant-id", tenant);
        // Held by the simulator long enough to be seen in flight; the test waits for the state, not the time.
        r.headers.add("x-sim-ttft-ms", "1500");
        r.timeouts.totalMs = 30000;
        UpstreamCall *c = m_client.start(r);
        connect(c, &UpstreamCall::finished, this, [done] { *done = true; });
        connect(c, &UpstreamCall::failed, this, [done](UpstreamCall::Failure, const QString &) { *done = true; });
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        m_sim = std::make_unique<SimulatorThread>();
        const QString sim = QStringLiteral("http://127.0.0.1:%1/v1").arg(m_sim->port());
        QString error;
        m_host = GatewayUnderTest::create(QJsonObject{{"upstreams", QJsonArray{QJsonObject{{"name", "sim"}, {"base_url", sim}}}}}, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_sim.reset();
    }

    void indexedBySessionAndTenantWhileInFlight()
    {
        bool done[3] = {false, false, false};
        std::unique_ptr<UpstreamCall> a1(send("sess-a", "ten-1", &done[0]));
        std::unique_ptr<UpstreamCall> a2(send("sess-a", "ten-2", &done[1]));
        std::unique_ptr<UpstreamCall> b(send("sess-b", "ten-1", &done[2]));
        QTRY_COMPARE_WITH_TIMEOUT(view().inFlight, 3, 5000);
        const View v = view();
        QVERIFY2(!done[0] && !done[1] && !done[2], "the requests ended before they could be seen in flight");
        QCOMPARE(v.all, 3);
        QCOMPARE(v.sessionsOfA, (QStringList{"sess-a/ten-1", "sess-a/ten-2"}));
        QCOMPARE(v.sessionsOfB, (QStringList{"sess-b/ten-1"}));
        QCOMPARE(v.tenantsOfT1, (QStringList{"sess-a/ten-1", "sess-b/ten-1"}));
        QCOMPARE(v.tenantsOfT2, (QStringList{"sess-a/ten-2"}));
        QCOMPARE(v.ofNobody, 0);

        QTRY_VERIFY_WITH_TIMEOUT(done[0] && done[1] && done[2], 20000);
        QTRY_COMPARE_WITH_TIMEOUT(view().inFlight, 0, 5000);
        const View after = view();
        QCOMPARE(after.all, 0);
        QVERIFY(after.sessionsOfA.isEmpty());
        QVERIFY(after.sessionsOfB.isEmpty());
        QVERIFY(after.tenantsOfT1.isEmpty());
        QVERIFY(after.tenantsOfT2.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_SessionRegistry)
#include "tst_SessionRegistry.moc"
