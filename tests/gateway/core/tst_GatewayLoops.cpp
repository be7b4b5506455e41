// The loop detector inside the gateway, over real sockets: a session repeating itself, or two
// sessions handing each other's answers back, is tripped; its next request gets 403
// session_blocked naming the evidence, its stream in flight is cut, the trip is announced and
// audited; warn mode only announces; a cooldown resets the trip; a resume starts the session clean.
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"
#include "upstream/UpstreamCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

namespace {
using Stream = GatewayClient::Reply;

QByteArray ask(const QString &text, bool stream = false)
{
    return QJsonDocument(QJsonObject{{"model", "gpt-4o"}, {"stream", stream},
                                     {"messages", QJsonArray{QJsonObject{{"role", "system"}, {"content", "You review code."}},
                                                             QJsonObject{{"role", "user"}, {"content", text}}}}})
        .toJson(QJsonDocument::Compact);
}

HttpHeaders who(const QByteArray &session)
{
    HttpHeaders h;
    h.add("x-session-id", session);
    h.add("x-sim-completion-tokens", "24");
    h.add("x-sim-tokens-per-second", "5000");
    h.add("x-sim-ttft-ms", "0");
    return h;
}

QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

struct Trip
{
    QStringList sessions;
    QString signal;
    QString evidence;
    bool warnOnly = false;
};
} // namespace

class tst_GatewayLoops : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_gateway;
    QList<Trip> m_trips;

    UpstreamCall *send(const QByteArray &body, const HttpHeaders &headers, Stream *out)
    {
        return m_gateway->start("/v1/chat/completions", body, headers, out);
    }

    GatewayClient::Reply call(const QByteArray &body, const HttpHeaders &headers)
    {
        return m_gateway->call("/v1/chat/completions", body, headers);
    }

    // The assistant's answer in a chat completion.
    static QString answer(const GatewayClient::Reply &r)
    {
        return json(r.body).value("choices").toArray().first().toObject().value("message").toObject().value("content").toString();
    }

    QString state(const QByteArray &session)
    {
        return json(m_gateway->admin("GET", "sessions/" + session).body).value("state").toString();
    }

    qint64 audits(const QString &action, const QString &target)
    {
        QSqlDatabase d = QSqlDatabase::database(QStringLiteral("loops"), false);
        if (!d.isValid()) {
            d = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("loops"));
            d.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            d.open();
        }
        QSqlQuery q(d);
        q.prepare(QStringLiteral("select count(*) from audit where action = ? and target = ?"));
        q.addBindValue(action);
        q.addBindValue(target);
        q.exec();
        return q.next() ? q.value(0).toLongLong() : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        m_sim = std::make_unique<SimulatorThread>();
        const QString sim = QStringLiteral("http://127.0.0.1:%1/v1").arg(m_sim->port());
        const QJsonObject config{
            {"upstreams", QJsonArray{QJsonObject{{"name", "sim"}, {"base_url", sim}, {"models", QJsonArray{"gpt-*"}}}}},
            {"loop_detection", QJsonObject{
                 {"enabled", true}, {"mode", "block"},
                 {"rules", QJsonArray{
                      QJsonObject{{"scope", "session"}, {"match", "warn-*"}, {"mode", "warn"}},
                      QJsonObject{{"scope", "session"}, {"match", "cool-*"}, {"cooldown", 1}}}}}}};
        QString error;
        m_host = GatewayUnderTest::create(config, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        connect(m_host, &GatewayHost::sessionTripped, this, [this](const QStringList &s, const QString &signal, const QString &evidence, bool warn) {
            m_trips.append({s, signal, evidence, warn});
        });
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_gateway = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_sim.reset();
    }

    void twoSessionsHandingAnswersBackAreBothTripped()
    {
        m_trips.clear();
        const quint64 servedBefore = m_sim->read(&SimulatorServer::requestsServed);
        // Each agent sends the other's latest answer as its next prompt: the incident.
        QString said = QStringLiteral("Please review this patch to the retry loop in the upload client.");
        int sent = 0;
        GatewayClient::Reply last;
        for (; sent < 40; ++sent) {
            const QByteArray session = sent % 2 ? "reviewer" : "author";
            last = call(ask(QStringLiteral("The other agent says: ") + said), who(session));
            if (last.status != 200)
                break;
            said = answer(last);
        }
        QCOMPARE(last.status, 403);
        QCOMPARE(last.headers.value("x-should-retry"), QByteArray("false"));
        QCOMPARE(json(last.body).value("error").toObject().value("code").toString(), QStringLiteral("session_blocked"));
        QVERIFY2(last.body.contains("loop detector"), last.body.constData());
        QVERIFY2(sent <= 20, qPrintable(QString::number(sent)));
        QCOMPARE(state("author"), QStringLiteral("tripped"));
        QCOMPARE(state("reviewer"), QStringLiteral("tripped"));
        QCOMPARE(call(ask(QStringLiteral("anything new")), who("author")).status, 403);
        QCOMPARE(call(ask(QStringLiteral("anything new")), who("reviewer")).status, 403);
        // Nothing refused reached the upstream.
        QCOMPARE(m_sim->read(&SimulatorServer::requestsServed) - servedBefore, quint64(sent));
        QTRY_VERIFY(!m_trips.isEmpty());
        QCOMPARE(m_trips.first().signal, QStringLiteral("ping_pong"));
        QVERIFY(m_trips.first().sessions.contains(QStringLiteral("author")) && m_trips.first().sessions.contains(QStringLiteral("reviewer")));
        QVERIFY(!m_trips.first().warnOnly);
        QTRY_COMPARE(audits(QStringLiteral("sessions.trip"), QStringLiteral("author")), 1);
        const QJsonObject view = json(m_gateway->admin("GET", "sessions/author").body);
        QVERIFY(view.value("reason").toString().contains(QLatin1String("handed each other's output back")));
        QVERIFY(view.value("cost_at_trip_micros").toInteger() > 0);
    }

    void aTripCutsTheSessionsStreamInFlight()
    {
        Stream stream;
        HttpHeaders slow;
        slow.add("x-session-id", "repeater");
        slow.add("x-sim-completion-tokens", "2000");
        slow.add("x-sim-tokens-per-second", "40");
        std::unique_ptr<UpstreamCall> c(send(ask(QStringLiteral("Write the migration guide."), true), slow, &stream));
        QTRY_VERIFY(stream.body.count("\"content\":") >= 2);
        // The same question again and again, as a stuck agent sends it, until the detector trips.
        int status = 200;
        for (int i = 0; i < 30 && status == 200; ++i)
            status = call(ask(QStringLiteral("Run the test suite again and tell me whether test_upload passes.")), who("repeater")).status;
        QCOMPARE(status, 403);
        QTRY_VERIFY_WITH_TIMEOUT(stream.done, 5000);
        QVERIFY2(stream.body.trimmed().split('\n').last().contains("session_blocked"), stream.body.right(300).constData());
        QVERIFY(!stream.body.contains("[DONE]"));
        QCOMPARE(state("repeater"), QStringLiteral("tripped"));
    }

    void warnModeOnlyAnnounces()
    {
        m_trips.clear();
        int refused = 0;
        for (int i = 0; i < 20; ++i)
            refused += call(ask(QStringLiteral("Run the test suite again and tell me whether test_upload passes.")), who("warn-1")).status != 200;
        QCOMPARE(refused, 0);
        QTRY_VERIFY(!m_trips.isEmpty());
        QVERIFY(m_trips.first().warnOnly);
        QCOMPARE(m_trips.first().sessions, QStringList{QStringLiteral("warn-1")});
        QCOMPARE(state("warn-1"), QStringLiteral("active"));
    }

    void aCooldownResetsTheTrip()
    {
        int status = 200;
        for (int i = 0; i < 30 && status == 200; ++i)
            status = call(ask(QStringLiteral("Is the build green yet?")), who("cool-1")).status;
        QCOMPARE(status, 403);
        // The rule's cooldown is 1 s; the breaker closes by itself, and the session starts clean.
        QTRY_COMPARE_WITH_TIMEOUT(state("cool-1"), QStringLiteral("active"), 5000);
        QCOMPARE(call(ask(QStringLiteral("Is the build green yet?")), who("cool-1")).status, 200);
        QTRY_COMPARE(audits(QStringLiteral("sessions.reset"), QStringLiteral("cool-1")), 1);
    }

    void aResumedSessionStartsClean()
    {
        int status = 200;
        for (int i = 0; i < 30 && status == 200; ++i)
            status = call(ask(QStringLiteral("Check the deploy status.")), who("resumed-1")).status;
        QCOMPARE(status, 403);
        QCOMPARE(m_gateway->admin("POST", "sessions/resumed-1/resume").status, 200);
        // Its history went with the trip: the same request once more is not a loop on its own.
        QCOMPARE(call(ask(QStringLiteral("Check the deploy status.")), who("resumed-1")).status, 200);
        QCOMPARE(call(ask(QStringLiteral("Check the deploy status.")), who("resumed-1")).status, 200);
        QCOMPARE(state("resumed-1"), QStringLiteral("active"));
    }

    void variedWorkIsNotTripped()
    {
        // Thirty different questions as fast as the socket goes.
        const QStringList topics{"the parser", "the cache", "the retry policy", "the logging", "the CLI flags", "the docs"};
        for (int i = 0; i < 30; ++i)
            QCOMPARE(call(ask(QStringLiteral("Step %1: explain %2 and how it handles case %3 of %4.")
                                  .arg(i).arg(topics.at(i % topics.size())).arg(i * 7).arg(i * 13 + 5)),
                          who("varied")).status, 200);
        QCOMPARE(state("varied"), QStringLiteral("active"));
    }
};

QTEST_GUILESS_MAIN(tst_GatewayLoops)
#include "tst_GatewayLoops.moc"
