// Rows of the fault matrix (docs/resilience.md), through the real gateway against the simulator's
// fault knobs on real sockets: for each, what the client receives, how many attempts were made,
// and the row.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

namespace {
HttpHeaders fault(const QByteArray &value)
{
    HttpHeaders h;
    h.add("x-sim-fault", value);
    h.add("x-sim-ttft-ms", "0");
    return h;
}

QByteArray chat(const char *words, bool stream)
{
    return QStringLiteral(R"({"model":"m-1","stream":%1,"messages":[{"role":"user","content":"%2"}],"max_tokens":16})")
        .arg(stream ? "true" : "false", QLatin1String(words)).toUtf8();
}
} // namespace

class tst_GatewayFaults : public QObject
{
    Q_OBJECT
private:
    SimulatorThread m_sim;
    RunningGateway m_gw;

    // The stored row of the answer with this request id: "status/error/attempts".
    QString row(const QByteArray &id)
    {
        QSqlDatabase db = QSqlDatabase::database(QStringLiteral("faults"), false);
        if (!db.isValid()) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("faults"));
            db.setDatabaseName(m_gw.dataDir() + QStringLiteral("/tokenfuse.db"));
            db.open();
        }
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT status, error, attempts FROM requests WHERE id = ?"));
        q.addBindValue(QString::fromUtf8(id));
        if (!q.exec() || !q.next())
            return {};
        return QStringLiteral("%1/%2/%3").arg(q.value(0).toInt()).arg(q.value(1).toString()).arg(q.value(2).toInt());
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Short time-outs so each row ends in well under a second; breakers that never open, so
        // one row's failures do not decide the next row's route.
        const QJsonObject up{{"name", "sim"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(m_sim.port())},
                             {"timeouts_ms", QJsonObject{{"first_byte", 400}, {"idle", 400}}},
                             {"breaker", QJsonObject{{"consecutive", 1000000}, {"min_requests", 1000000}}}};
        QVERIFY2(m_gw.start(QJsonObject{{"upstreams", QJsonArray{up}},
                                        {"retries", QJsonObject{{"max_attempts", 3}, {"base_delay_ms", 20}, {"max_delay_ms", 100}}}}),
                 qPrintable(m_gw.error()));
    }

    void hangingBeforeHeadersIsRetriedThenA504()
    {
        const quint64 before = m_sim.read(&SimulatorServer::requestsServed);
        const GatewayClient::Reply r = m_gw.client().call("/v1/chat/completions", chat("hang before headers", false), fault("hang"));
        QCOMPARE(r.status, 504);
        QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("3"));
        const QJsonObject error = QJsonDocument::fromJson(r.body).object().value("error").toObject();
        QCOMPARE(error.value("type").toString(), QStringLiteral("upstream_timeout"));
        QVERIFY2(error.value("message").toString().contains(QLatin1String("after 3 attempts")), qPrintable(error.value("message").toString()));
        QCOMPARE(m_sim.read(&SimulatorServer::requestsServed) - before, quint64(3));
        QTRY_COMPARE(row(r.headers.value("x-tokenfuse-request-id")), QStringLiteral("504/upstream_timeout/3"));
    }

    void hangingMidStreamEndsWithAnErrorEventAfterOneAttempt()
    {
        const GatewayClient::Reply r = m_gw.client().call("/v1/chat/completions", chat("stall mid stream", true), fault("stall:3"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1")); // never retried once the answer began
        QVERIFY(r.body.contains("data: {\"error\""));
        QVERIFY(!r.body.contains("[DONE]"));
        QTRY_COMPARE(row(r.headers.value("x-tokenfuse-request-id")), QStringLiteral("200/upstream_timeout/1"));
    }

    void closingMidStreamIsNeverRetried()
    {
        const GatewayClient::Reply r = m_gw.client().call("/v1/chat/completions", chat("close mid stream", true), fault("disconnect:2"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1"));
        QVERIFY(!r.body.contains("[DONE]"));
        QTRY_VERIFY(row(r.headers.value("x-tokenfuse-request-id")).startsWith(QLatin1String("200/upstream_")));
    }

    void aRateLimitIsRetriedThenPassedOn()
    {
        HttpHeaders h = fault("status:429");
        h.add("x-sim-retry-after", "0");
        const quint64 before = m_sim.read(&SimulatorServer::requestsServed);
        const GatewayClient::Reply r = m_gw.client().call("/v1/chat/completions", chat("rate limited", false), h);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("3"));
        QCOMPARE(m_sim.read(&SimulatorServer::requestsServed) - before, quint64(3));
        QTRY_COMPARE(row(r.headers.value("x-tokenfuse-request-id")), QStringLiteral("429/upstream_status_429/3"));
    }

    void aClientErrorIsNeverRetried()
    {
        const quint64 before = m_sim.read(&SimulatorServer::requestsServed);
        const GatewayClient::Reply r = m_gw.client().call("/v1/chat/completions", chat("bad request", false), fault("status:400"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1"));
        QCOMPARE(m_sim.read(&SimulatorServer::requestsServed) - before, quint64(1));
    }

    void cleanupTestCase()
    {
        QSqlDatabase::removeDatabase(QStringLiteral("faults"));
    }
};

QTEST_GUILESS_MAIN(tst_GatewayFaults)
#include "tst_GatewayFaults.moc"
