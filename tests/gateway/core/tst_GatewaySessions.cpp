// The kill switches and the session routes over real sockets: a kill ends a session's stream in
// flight (error event in its dialect, upstream closed, what streamed billed) and refuses its next
// request with 403 session_blocked; tenants and stop-all likewise; resume undoes each; every admin
// route answers 401 without the token and 400 for malformed JSON. The upstream is the simulator on
// a thread of its own; the gateway runs on its own.
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

QByteArray chat(bool stream, const QString &text = QStringLiteral("Write a long essay about lighthouses."))
{
    return QJsonDocument(QJsonObject{{"model", "gpt-4o"}, {"stream", stream},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", text}}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray messages(bool stream)
{
    return QJsonDocument(QJsonObject{{"model", "claude-x"}, {"stream", stream}, {"max_tokens", 2000},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "Tell me a long story."}}}}})
        .toJson(QJsonDocument::Compact);
}

HttpHeaders who(const QByteArray &session, const QByteArray &tenant = "team")
{
    HttpHeaders h;
    h.add("x-session-id", session);
    h.add("x-tenant-id", tenant);
    return h;
}

HttpHeaders slow(const QByteArray &session, const QByteArray &tenant = "team")
{
    HttpHeaders h = who(session, tenant);
    h.add("x-sim-completion-tokens", "2000");
    h.add("x-sim-tokens-per-second", "40");
    return h;
}

QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}
} // namespace

class tst_GatewaySessions : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_gateway;

    UpstreamCall *send(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers, Stream *out)
    {
        return m_gateway->start(path, body, headers, out);
    }

    GatewayClient::Reply call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers)
    {
        return m_gateway->call(path, body, headers);
    }

    GatewayClient::Reply admin(const QByteArray &method, const QByteArray &route, const QJsonValue &body = {})
    {
        return m_gateway->admin(method, route, body);
    }

    QSqlDatabase db()
    {
        QSqlDatabase d = QSqlDatabase::database(QStringLiteral("sessions"), false);
        if (!d.isValid()) {
            d = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("sessions"));
            d.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            d.open();
        }
        return d;
    }

    QVariantList rowOf(const QByteArray &id, const QString &columns)
    {
        QSqlQuery q(db());
        q.exec(QStringLiteral("select %1 from requests where id = '%2'").arg(columns, QString::fromUtf8(id)));
        QVariantList values;
        if (q.next())
            for (int i = 0; i < columns.count(QLatin1Char(',')) + 1; ++i)
                values << q.value(i);
        return values;
    }

    qint64 audits(const QString &action, const QString &target)
    {
        QSqlQuery q(db());
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
        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_sim->port());
        const QJsonObject config{{"upstreams", QJsonArray{
                                     QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"}, {"models", QJsonArray{"gpt-*"}}},
                                     QJsonObject{{"name", "sim-anthropic"}, {"base_url", sim}, {"dialect", "anthropic"}, {"models", QJsonArray{"claude-*"}}}}}};
        QString error;
        m_host = GatewayUnderTest::create(config, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_gateway = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_sim.reset();
    }

    void killEndsTheStreamInFlightBillsItAndBlocksTheSession()
    {
        const quint64 abortsBefore = m_sim->read(&SimulatorServer::clientAborts);
        Stream stream;
        std::unique_ptr<UpstreamCall> c(send("/v1/chat/completions", chat(true), slow("agent-7"), &stream));
        QTRY_VERIFY(stream.body.count("\"content\":") >= 3);

        const GatewayClient::Reply kill = admin("POST", "sessions/agent-7/kill", QJsonObject{{"reason", "runaway loop"}});
        QVERIFY2(kill.status == 200, kill.body.constData());
        QCOMPARE(json(kill.body).value("cancelled").toInt(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(stream.done, 5000);
        // The stream ends with one error event the SDKs raise on, and no [DONE].
        const QByteArray last = stream.body.trimmed().split('\n').last();
        QVERIFY2(last.startsWith("data: {\"error\""), last.constData());
        QVERIFY(last.contains("session_blocked"));
        QVERIFY(last.contains("runaway loop"));
        QVERIFY(!stream.body.contains("[DONE]"));
        // The provider saw the connection close, and what streamed is billed.
        QTRY_COMPARE(m_sim->read(&SimulatorServer::clientAborts), abortsBefore + 1);
        const QByteArray id = stream.headers.value("x-tokenfuse-request-id");
        QTRY_VERIFY(!rowOf(id, QStringLiteral("error")).isEmpty());
        const QVariantList row = rowOf(id, QStringLiteral("error, completion_tokens, cost_micros, status"));
        QCOMPARE(row.at(0).toString(), QStringLiteral("session_blocked"));
        QVERIFY2(row.at(1).toLongLong() >= 3, qPrintable(row.at(1).toString()));
        QVERIFY(row.at(2).toLongLong() > 0);
        QCOMPARE(row.at(3).toInt(), 200);

        // The next request of that session is refused before it goes anywhere.
        const quint64 servedBefore = m_sim->read(&SimulatorServer::requestsServed);
        const GatewayClient::Reply next = call("/v1/chat/completions", chat(false), who("agent-7"));
        QCOMPARE(next.status, 403);
        QCOMPARE(next.headers.value("x-should-retry"), QByteArray("false"));
        QCOMPARE(json(next.body).value("error").toObject().value("code").toString(), QStringLiteral("session_blocked"));
        QVERIFY(next.body.contains("killed by admin-api"));
        QVERIFY(next.body.contains("/admin/v1/sessions/agent-7/resume"));
        QCOMPARE(m_sim->read(&SimulatorServer::requestsServed), servedBefore);
        // Other sessions are untouched.
        QCOMPARE(call("/v1/chat/completions", chat(false), who("agent-8")).status, 200);

        const GatewayClient::Reply view = admin("GET", "sessions/agent-7");
        QCOMPARE(view.status, 200);
        QCOMPARE(json(view.body).value("state").toString(), QStringLiteral("killed"));
        QCOMPARE(json(view.body).value("reason").toString(), QStringLiteral("runaway loop"));
        // The spend at the kill includes the stream it ended (the refused request cost nothing).
        QVERIFY(json(view.body).value("cost_at_trip_micros").toInteger() > 0);
        QCOMPARE(json(view.body).value("cost_at_trip_micros").toInteger(), json(view.body).value("cost_micros").toInteger());

        const GatewayClient::Reply resume = admin("POST", "sessions/agent-7/resume");
        QCOMPARE(resume.status, 200);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("agent-7")).status, 200);
        QCOMPARE(json(admin("GET", "sessions/agent-7").body).value("state").toString(), QStringLiteral("active"));
        QTRY_COMPARE(audits(QStringLiteral("sessions.kill"), QStringLiteral("agent-7")), 1);
        QTRY_COMPARE(audits(QStringLiteral("sessions.resume"), QStringLiteral("agent-7")), 1);
    }

    void killEndsAnAnthropicStreamWithItsErrorEvent()
    {
        Stream stream;
        std::unique_ptr<UpstreamCall> c(send("/v1/messages", messages(true), slow("claude-agent"), &stream));
        QTRY_VERIFY(stream.body.count("content_block_delta") >= 3);
        QCOMPARE(admin("POST", "sessions/claude-agent/kill").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(stream.done, 5000);
        QVERIFY2(stream.body.contains("event: error"), stream.body.right(300).constData());
        QVERIFY(stream.body.contains("permission_error"));
        QVERIFY(!stream.body.contains("message_stop"));
        const GatewayClient::Reply next = call("/v1/messages", messages(false), who("claude-agent"));
        QCOMPARE(next.status, 403);
        QCOMPARE(json(next.body).value("error").toObject().value("type").toString(), QStringLiteral("permission_error"));
        QCOMPARE(admin("POST", "sessions/claude-agent/resume").status, 200);
    }

    void killingATenantEndsEachOfItsSessions()
    {
        Stream a, b, other;
        std::unique_ptr<UpstreamCall> ca(send("/v1/chat/completions", chat(true), slow("t-a", "acme"), &a));
        std::unique_ptr<UpstreamCall> cb(send("/v1/chat/completions", chat(true), slow("t-b", "acme"), &b));
        std::unique_ptr<UpstreamCall> co(send("/v1/chat/completions", chat(true), slow("t-c", "other"), &other));
        QTRY_VERIFY(a.body.count("\"content\":") >= 2 && b.body.count("\"content\":") >= 2 && other.body.count("\"content\":") >= 2);
        const GatewayClient::Reply kill = admin("POST", "tenants/acme/kill");
        QVERIFY2(kill.status == 200, kill.body.constData());
        QCOMPARE(json(kill.body).value("cancelled").toInt(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(a.done && b.done, 5000);
        QVERIFY(a.body.contains("session_blocked") && b.body.contains("session_blocked"));
        QVERIFY(!other.done);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("t-new", "acme")).status, 403);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("t-d", "other")).status, 200);
        QCOMPARE(admin("POST", "tenants/acme/resume").status, 200);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("t-new", "acme")).status, 200);
        co.reset();
    }

    void stopAllRefusesEveryoneUntilResumeAll()
    {
        Stream s;
        std::unique_ptr<UpstreamCall> c(send("/v1/chat/completions", chat(true), slow("any-1"), &s));
        QTRY_VERIFY(s.body.count("\"content\":") >= 2);
        const GatewayClient::Reply stop = admin("POST", "stop-all");
        QCOMPARE(stop.status, 200);
        QVERIFY(json(stop.body).value("stopped_all").toBool());
        QTRY_VERIFY_WITH_TIMEOUT(s.done, 5000);
        QVERIFY(s.body.contains("session_blocked"));
        const GatewayClient::Reply refused = call("/v1/messages", messages(false), who("any-2", "elsewhere"));
        QCOMPARE(refused.status, 403);
        QVERIFY(refused.body.contains("resume-all"));
        QVERIFY(json(admin("GET", "sessions").body).value("stopped_all").toBool());
        QCOMPARE(admin("POST", "resume-all").status, 200);
        QCOMPARE(call("/v1/messages", messages(false), who("any-2", "elsewhere")).status, 200);
        QTRY_COMPARE(audits(QStringLiteral("all.stop"), QStringLiteral("all")), 1);
        QTRY_COMPARE(audits(QStringLiteral("all.resume"), QStringLiteral("all")), 1);
    }

    void sessionsAreListedFilteredAndPaged()
    {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(call("/v1/chat/completions", chat(false, QStringLiteral("question %1 with sk-abcdefghijklmnopqrstuvwx1234").arg(i)),
                          who("list-" + QByteArray::number(i), "lister")).status, 200);
        QCOMPARE(admin("POST", "sessions/list-3/kill").status, 200);

        const QJsonObject all = json(admin("GET", "sessions?tenant=lister").body);
        QCOMPARE(all.value("total").toInt(), 5);
        const QJsonArray list = all.value("sessions").toArray();
        QCOMPARE(list.size(), 5);
        // Most recent first: list-4 was seen last.
        QCOMPARE(list.first().toObject().value("id").toString(), QStringLiteral("list-4"));
        const QJsonObject s4 = list.first().toObject();
        QCOMPARE(s4.value("requests").toInt(), 1);
        QVERIFY(s4.value("prompt_tokens").toInt() > 0);
        QVERIFY(s4.value("cost_micros").toInteger() > 0);
        QCOMPARE(s4.value("models").toArray().first().toString(), QStringLiteral("gpt-4o"));

        const QJsonObject killed = json(admin("GET", "sessions?state=killed&tenant=lister").body);
        QCOMPARE(killed.value("total").toInt(), 1);
        QCOMPARE(killed.value("sessions").toArray().first().toObject().value("id").toString(), QStringLiteral("list-3"));

        const QJsonObject page = json(admin("GET", "sessions?tenant=lister&limit=2&offset=2").body);
        QCOMPARE(page.value("total").toInt(), 5);
        QCOMPARE(page.value("sessions").toArray().size(), 2);
        QCOMPARE(page.value("sessions").toArray().first().toObject().value("id").toString(), QStringLiteral("list-2"));

        const QJsonObject search = json(admin("GET", "sessions?q=LIST-1").body);
        QCOMPARE(search.value("total").toInt(), 1);

        QCOMPARE(admin("GET", "sessions?state=sleepy").status, 400);
        QCOMPARE(admin("GET", "sessions?limit=0").status, 400);
        QCOMPARE(admin("GET", "sessions?offset=-1").status, 400);
        QCOMPARE(admin("GET", "sessions/nobody-at-all").status, 404);
        QCOMPARE(admin("POST", "sessions/list-3/resume").status, 200);
    }

    void sessionIdsArePercentDecodedInPaths()
    {
        QCOMPARE(call("/v1/chat/completions", chat(false), who("repo@main:agent 1")).status, 200);
        const GatewayClient::Reply view = admin("GET", "sessions/repo%40main%3Aagent%201");
        QCOMPARE(view.status, 200);
        QCOMPARE(json(view.body).value("id").toString(), QStringLiteral("repo@main:agent 1"));
        const GatewayClient::Reply kill = admin("POST", "sessions/repo%40main%3Aagent%201/kill");
        QVERIFY2(kill.status == 200, kill.body.constData());
        QCOMPARE(call("/v1/chat/completions", chat(false), who("repo@main:agent 1")).status, 403);
        QCOMPARE(admin("POST", "sessions/repo%40main%3Aagent%201/resume").status, 200);
    }

    void aSessionNamedByHeaderStillShowsItsCallingProcess()
    {
        QCOMPARE(call("/v1/chat/completions", chat(false), who("named-by-header")).status, 200);
        // The kernel's name of a process (comm) stops at 15 characters.
        const QString me = QStringLiteral("tst_GatewaySess:%1").arg(QCoreApplication::applicationPid());
        QTRY_COMPARE(json(admin("GET", "sessions/named-by-header").body).value("process").toString(), me);
    }

    void thePromptPreviewHidesKeys()
    {
        QCOMPARE(call("/v1/chat/completions", chat(false, QStringLiteral("Deploy with sk-proj-AbCdEf0123456789xyzXYZ now please")),
                      who("preview-1")).status, 200);
        const QString preview = json(admin("GET", "sessions/preview-1").body).value("last_prompt").toString();
        QCOMPARE(preview, QStringLiteral("Deploy with [key hidden] now please"));
    }

    void theUsageRouteGroupsWhatWasStored()
    {
        QCOMPARE(call("/v1/chat/completions", chat(false), who("usage-1", "usage-tenant")).status, 200);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("usage-2", "usage-tenant")).status, 200);
        QTRY_VERIFY([&] {
            const QJsonObject u = json(admin("GET", "usage?group_by=tenant").body);
            for (const QJsonValue &g : u.value("groups").toArray())
                if (g.toObject().value("key").toString() == QLatin1String("usage-tenant"))
                    return g.toObject().value("requests").toInt() == 2;
            return false;
        }());
        QSqlQuery q(db());
        q.exec(QStringLiteral("select sum(prompt_tokens), sum(completion_tokens), sum(cost_micros) from requests where tenant = 'usage-tenant'"));
        QVERIFY(q.next());
        const QJsonObject u = json(admin("GET", "usage?group_by=tenant").body);
        for (const QJsonValue &g : u.value("groups").toArray()) {
            if (g.toObject().value("key").toString() != QLatin1String("usage-tenant"))
                continue;
            QCOMPARE(g.toObject().value("prompt_tokens").toInteger(), q.value(0).toLongLong());
            QCOMPARE(g.toObject().value("completion_tokens").toInteger(), q.value(1).toLongLong());
            QCOMPARE(g.toObject().value("cost_micros").toInteger(), q.value(2).toLongLong());
        }
        const QJsonObject byDay = json(admin("GET", "usage?group_by=day").body);
        QCOMPARE(byDay.value("groups").toArray().size(), 1);
        QCOMPARE(byDay.value("groups").toArray().first().toObject().value("key").toString(), QDate::currentDate().toString(Qt::ISODate));
        // A range that holds nothing.
        QCOMPARE(json(admin("GET", "usage?from=2001-01-01&to=2001-01-02&group_by=model").body).value("groups").toArray().size(), 0);
        QCOMPARE(admin("GET", "usage?group_by=week").status, 400);
        QCOMPARE(admin("GET", "usage?from=yesterday").status, 400);
        QCOMPARE(admin("GET", "usage?from=2026-12-02&to=2026-12-01").status, 400);
    }

    // Last: it restarts the gateway.
    void killsAndTotalsSurviveARestart()
    {
        for (int i = 0; i < 3; ++i)
            QCOMPARE(call("/v1/chat/completions", chat(false, QStringLiteral("step %1").arg(i)), who("durable", "keeper")).status, 200);
        QCOMPARE(admin("POST", "sessions/durable/kill", QJsonObject{{"reason", "kept across restarts"}}).status, 200);
        QCOMPARE(admin("POST", "tenants/gone-tenant/kill").status, 200);
        const QJsonObject before = json(admin("GET", "sessions/durable").body);
        QCOMPARE(before.value("requests").toInt(), 3);

        m_host->stop();
        m_gateway.reset();
        delete m_host;
        QString error;
        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_sim->port());
        m_host = GatewayUnderTest::create(QJsonObject{{"upstreams", QJsonArray{QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"},
                                                                                            {"models", QJsonArray{"gpt-*"}}}}}},
                                          m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_gateway = std::make_unique<GatewayClient>(m_port, m_dataDir.path());

        const GatewayClient::Reply refused = call("/v1/chat/completions", chat(false), who("durable", "keeper"));
        QCOMPARE(refused.status, 403);
        QVERIFY(refused.body.contains("kept across restarts"));
        QCOMPARE(call("/v1/chat/completions", chat(false), who("someone", "gone-tenant")).status, 403);
        const QJsonObject after = json(admin("GET", "sessions/durable").body);
        QCOMPARE(after.value("state").toString(), QStringLiteral("killed"));
        QCOMPARE(after.value("reason").toString(), QStringLiteral("kept across restarts"));
        // The totals came back from the store (the refused request adds one row).
        QVERIFY2(after.value("requests").toInt() >= 3, qPrintable(QString::number(after.value("requests").toInt())));
        QCOMPARE(after.value("cost_micros").toInteger() >= before.value("cost_micros").toInteger(), true);
        QCOMPARE(after.value("all_time").toObject().value("requests").toInt(), after.value("requests").toInt());
        QCOMPARE(admin("POST", "sessions/durable/resume").status, 200);
        QCOMPARE(call("/v1/chat/completions", chat(false), who("durable", "keeper")).status, 200);
        QCOMPARE(admin("POST", "tenants/gone-tenant/resume").status, 200);
    }

    void everyRouteWantsTheTokenAndWellFormedJson()
    {
        const QList<QPair<QByteArray, QByteArray>> routes{
            {"GET", "/admin/v1/sessions"}, {"GET", "/admin/v1/sessions/x"}, {"POST", "/admin/v1/sessions/x/kill"},
            {"POST", "/admin/v1/sessions/x/resume"}, {"POST", "/admin/v1/tenants/x/kill"}, {"POST", "/admin/v1/tenants/x/resume"},
            {"POST", "/admin/v1/stop-all"}, {"POST", "/admin/v1/resume-all"}, {"GET", "/admin/v1/usage"}};
        for (const auto &[method, path] : routes) {
            HttpHeaders none;
            const GatewayClient::Reply anonymous = m_gateway->call(path, {}, none, method);
            QVERIFY2(anonymous.status == 401, path.constData());
            HttpHeaders wrong;
            wrong.add("authorization", "Bearer not-the-token");
            QCOMPARE(m_gateway->call(path, {}, wrong, method).status, 401);
        }
        // Nothing was killed by the refused calls.
        QCOMPARE(call("/v1/chat/completions", chat(false), who("x")).status, 200);

        QFile f(m_dataDir.filePath("admin.token"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        HttpHeaders token;
        token.add("authorization", "Bearer " + f.readAll().trimmed());
        token.add("content-type", "application/json");
        for (const QByteArray path : {"/admin/v1/sessions/x/kill", "/admin/v1/tenants/x/kill", "/admin/v1/stop-all"}) {
            const GatewayClient::Reply bad = m_gateway->call(path, "{\"reason\": ", token, "POST");
            QCOMPARE(bad.status, 400);
            QVERIFY2(bad.body.contains("not valid JSON"), bad.body.constData());
            QCOMPARE(m_gateway->call(path, "[1,2]", token, "POST").status, 400);
            QCOMPARE(m_gateway->call(path, "{\"reason\": 5}", token, "POST").status, 400);
        }
        // Still nothing killed.
        QCOMPARE(call("/v1/chat/completions", chat(false), who("x")).status, 200);
        QCOMPARE(m_gateway->call("/admin/v1/sessions/x/kill", {}, token, "GET").status, 405);
        QCOMPARE(m_gateway->call("/admin/v1/sessions", {}, token, "DELETE").status, 405);
        QCOMPARE(m_gateway->call("/admin/v1/stop-all", {}, token, "GET").status, 405);
        QCOMPARE(m_gateway->call("/admin/v1/usage", {}, token, "POST").status, 405);
    }
};

QTEST_GUILESS_MAIN(tst_GatewaySessions)
#include "tst_GatewaySessions.moc"
