// The token circuit breaker end to end over real sockets, the simulator on its own thread as the
// upstream: concurrent requests can't overspend, streams are cut within one chunk and their
// upstream closed, windows roll over on the local calendar, rule changes reach requests in flight,
// and every "says no" row in both dialects.
#include "GatewayUnderTest.h"
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "budget/ManualBudgetClock.h"
#include "core/Gateway.h"
#include "core/GatewayHost.h"
#include "simulator/SimulatorServer.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

namespace {
struct Reply
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    bool done = false;
};

QByteArray chat(const QString &model, bool stream, int maxTokens = -1)
{
    QJsonObject o{{"model", model}, {"stream", stream}, {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}};
    if (maxTokens >= 0)
        o.insert("max_tokens", maxTokens);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

class tst_GatewayBudgets : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    quint16 m_simPort = 0;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    UpstreamClient m_client;
    ManualBudgetClock m_clock;
    QList<QStringList> m_alerts;

    template <typename T>
    T simulator(T (SimulatorServer::*getter)() const)
    {
        return m_sim->read(getter);
    }

    void onGateway(const std::function<void(Gateway *)> &f)
    {
        Gateway *g = m_host->gatewayForTests();
        QMetaObject::invokeMethod(g, [&] { f(g); }, Qt::BlockingQueuedConnection);
    }

    UpstreamCall *send(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers, Reply *reply,
                       const QByteArray &method = "POST")
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromUtf8(path)));
        r.method = method;
        r.body = body;
        r.headers = headers;
        r.headers.add("content-type", "application/json");
        r.timeouts.totalMs = 60000;
        UpstreamCall *c = m_client.start(r);
        connect(c, &UpstreamCall::responseStarted, this, [reply](int s, const HttpHeaders &h) { reply->status = s; reply->headers = h; });
        connect(c, &UpstreamCall::dataReceived, this, [reply](const QByteArray &d) { reply->body += d; });
        connect(c, &UpstreamCall::finished, this, [reply] { reply->done = true; });
        connect(c, &UpstreamCall::failed, this, [reply](UpstreamCall::Failure, const QString &) { reply->done = true; });
        return c;
    }

    Reply call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {}, const QByteArray &method = "POST")
    {
        Reply reply;
        std::unique_ptr<UpstreamCall> c(send(path, body, headers, &reply, method));
        [&] { QTRY_VERIFY_WITH_TIMEOUT(reply.done, 30000); }();
        return reply;
    }

    Reply admin(const QByteArray &method, const QByteArray &route, const QJsonValue &body = {})
    {
        QFile f(m_dataDir.filePath("admin.token"));
        f.open(QIODevice::ReadOnly);
        HttpHeaders h;
        h.add("authorization", "Bearer " + f.readAll().trimmed());
        const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson() : QByteArray();
        return call("/admin/v1/" + route, bytes, h, method);
    }

    void setBudgets(const QJsonArray &rules)
    {
        const Reply r = admin("PUT", "budgets", rules);
        QVERIFY2(r.status == 200, r.body.constData());
    }

    static HttpHeaders session(const QByteArray &s, const QByteArray &tenant = "t")
    {
        HttpHeaders h;
        h.add("x-session-id", s);
        h.add("x-tenant-id", tenant);
        return h;
    }

    QSqlDatabase db()
    {
        QSqlDatabase d = QSqlDatabase::database(QStringLiteral("budgets"), false);
        if (!d.isValid()) {
            d = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("budgets"));
            d.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            d.open();
        }
        return d;
    }

    qint64 scalar(const QString &sql)
    {
        QSqlQuery q(db());
        q.exec(sql);
        return q.next() ? q.value(0).toLongLong() : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TestSupport::raiseFileLimit();
        m_sim = std::make_unique<SimulatorThread>();
        m_simPort = m_sim->port();
        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_simPort);
        QJsonObject json{{"upstreams", QJsonArray{
                              QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"}, {"models", QJsonArray{"gpt-*"}}},
                              QJsonObject{{"name", "sim-anthropic"}, {"base_url", sim}, {"dialect", "anthropic"}, {"models", QJsonArray{"claude-*"}}}}},
                         {"default_max_tokens", 20},
                         // Hundreds of identical "hi"s at once from one session is what the loop
                         // detector trips on; these tests are about budgets alone.
                         {"loop_detection", QJsonObject{{"enabled", false}}},
                         {"rate_limits", QJsonArray{
                              QJsonObject{{"scope", "session"}, {"match", "rpm-*"}, {"rpm", 2}},
                              QJsonObject{{"scope", "session"}, {"match", "tpm-*"}, {"tpm", 50}},
                              QJsonObject{{"scope", "session"}, {"match", "conc-*"}, {"concurrency", 1}}}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        connect(m_host, &GatewayHost::budgetAlert, this, [this](const QString &rule, const QString &subject, double, const QString &message) {
            m_alerts << QStringList{rule, subject, message};
        });
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_clock.setNow(QDateTime::currentDateTime());
        onGateway([this](Gateway *g) { g->setClock(&m_clock); });
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_sim.reset();
    }

    void concurrentRequestsCannotOverspend()
    {
        // Five tenants, 100 requests each, all at once; each tenant may spend 300 tokens a day,
        // room for a fraction of them.
        constexpr qint64 cap = 300;
        setBudgets(QJsonArray{QJsonObject{{"scope", "tenant"}, {"match", "crowd-*"}, {"window", "day"}, {"max_tokens", cap}}});
        const quint64 servedBefore = simulator(&SimulatorServer::requestsServed);
        QList<Reply *> replies;
        QList<UpstreamCall *> calls;
        for (int i = 0; i < 500; ++i) {
            auto *reply = new Reply;
            HttpHeaders h = session("crowd", "crowd-" + QByteArray::number(i % 5));
            h.add("x-sim-tokens-per-second", "100");
            h.add("x-sim-completion-tokens", "12");
            const bool anthropic = i % 2;
            calls << send(anthropic ? "/v1/messages" : "/v1/chat/completions",
                          chat(anthropic ? "claude-x" : "gpt-4o-mini", i % 3 != 0, 12), h, reply);
            replies << reply;
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(), [](Reply *r) { return r->done; }), 60000);
        int ok = 0, refused = 0;
        for (Reply *r : replies) {
            if (r->status == 200) {
                ++ok;
            } else {
                QCOMPARE(r->status, 402);
                QCOMPARE(r->headers.value("x-should-retry"), QByteArray("false"));
                QVERIFY2(r->body.contains("300"), r->body.constData()); // the message names the cap
                ++refused;
            }
        }
        QVERIFY(ok > 0 && refused > 0);
        QCOMPARE(ok + refused, 500);
        // Nothing refused reached the upstream.
        QCOMPARE(simulator(&SimulatorServer::requestsServed) - servedBefore, quint64(ok));
        for (int t = 0; t < 5; ++t) {
            const qint64 spent = scalar(QStringLiteral("select sum(prompt_tokens + completion_tokens) from requests where tenant = 'crowd-%1' and status = 200").arg(t));
            const qint64 counter = scalar(QStringLiteral("select sum(tokens) from budget_counters where subject = 'crowd-%1'").arg(t));
            if (spent > cap) {
                QSqlQuery dump(db());
                dump.exec(QStringLiteral("select endpoint, stream, prompt_tokens, completion_tokens, estimated from requests where tenant = 'crowd-%1' and status = 200").arg(t));
                while (dump.next())
                    qWarning() << dump.value(0).toString() << dump.value(1).toInt() << dump.value(2).toInt() << dump.value(3).toInt() << dump.value(4).toInt();
            }
            QVERIFY2(spent <= cap, qPrintable(QStringLiteral("tenant %1 spent %2 of %3").arg(t).arg(spent).arg(cap)));
            QCOMPARE(counter, spent);
        }
        qDeleteAll(calls);
        qDeleteAll(replies);
    }

    void streamCutClosesTheUpstreamAndRecordsWhatStreamed()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "long-*"}, {"window", "total"}, {"max_tokens", 80}}});
        const quint64 abortsBefore = simulator(&SimulatorServer::clientAborts);
        HttpHeaders h = session("long-1");
        // An upstream that ignores the output limit TokenFuse forwards: the cut is the second line.
        h.add("x-sim-fault", "ignore-max-tokens");
        h.add("x-sim-completion-tokens", "2000");
        h.add("x-sim-tokens-per-second", "500");
        const Reply r = call("/v1/chat/completions", chat("gpt-4o", true), h);
        QCOMPARE(r.status, 200);
        const QByteArray last = r.body.trimmed().split('\n').last();
        QVERIFY2(last.startsWith("data: {\"error\""), last.constData());
        QVERIFY(last.contains("budget_exceeded"));
        QVERIFY(!r.body.contains("[DONE]"));
        QTRY_COMPARE(simulator(&SimulatorServer::clientAborts), abortsBefore + 1);
        QSqlQuery q(db());
        q.exec(QStringLiteral("select prompt_tokens + completion_tokens, error, completion_tokens from requests where id = '%1'")
                   .arg(QString::fromUtf8(r.headers.value("x-tokenfuse-request-id"))));
        QVERIFY(q.next());
        QCOMPARE(q.value(1).toString(), QStringLiteral("budget_exceeded"));
        QVERIFY2(q.value(0).toLongLong() > 80 && q.value(0).toLongLong() <= 84, qPrintable(q.value(0).toString()));
        // The client got every counted chunk but the one that crossed.
        const int forwarded = int(r.body.count("\"content\":\"") - r.body.count("\"content\":\"\""));
        QVERIFY2(forwarded < q.value(2).toInt(), qPrintable(QStringLiteral("%1 forwarded, %2 counted").arg(forwarded).arg(q.value(2).toInt())));
    }

    void lowerCapReachesAStreamInFlight()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "flight-*"}, {"window", "day"}, {"max_tokens", 100000}}});
        HttpHeaders h = session("flight-1");
        h.add("x-sim-fault", "ignore-max-tokens");
        h.add("x-sim-tokens-per-second", "40");
        h.add("x-sim-completion-tokens", "1000");
        Reply reply;
        std::unique_ptr<UpstreamCall> c(send("/v1/chat/completions", chat("gpt-4o", true), h, &reply));
        QTRY_VERIFY(reply.body.count("\"content\":") >= 5);
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "flight-*"}, {"window", "day"}, {"max_tokens", 30}}});
        QTRY_VERIFY_WITH_TIMEOUT(reply.done, 10000);
        QVERIFY(reply.body.contains("budget_exceeded"));
        QVERIFY(reply.body.count("\"content\":") < 100);
    }

    void dayWindowRollsOverAtLocalMidnight()
    {
        const QDateTime lateEvening(QDate(2026, 3, 31), QTime(23, 59, 30), Qt::LocalTime);
        onGateway([&](Gateway *) { m_clock.setNow(lateEvening); });
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "day-*"}, {"window", "day"}, {"max_requests", 2}},
                              QJsonObject{{"scope", "session"}, {"match", "month-*"}, {"window", "month"}, {"max_requests", 1}},
                              QJsonObject{{"scope", "session"}, {"match", "minute-*"}, {"window", "minute"}, {"max_requests", 1}}});
        for (const char *s : {"day-1", "day-1", "month-1", "minute-1"})
            QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session(s)).status, 200);
        for (const char *s : {"day-1", "month-1", "minute-1"})
            QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session(s)).status, 402);
        // 31 s later it is 1 April: a new day, a new month, a new minute.
        onGateway([&](Gateway *) { m_clock.setNow(lateEvening.addSecs(31)); });
        for (const char *s : {"day-1", "month-1", "minute-1"})
            QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session(s)).status, 200);
        QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session("month-1")).status, 402);
        // The minute window alone rolls again a minute on.
        onGateway([&](Gateway *) { m_clock.setNow(lateEvening.addSecs(95)); });
        QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session("minute-1")).status, 200);
        QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session("month-1")).status, 402);
        onGateway([&](Gateway *) { m_clock.setNow(QDateTime::currentDateTime()); });
    }

    void alertsAreSignalled()
    {
        m_alerts.clear();
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "alert-*"}, {"window", "day"}, {"max_requests", 4}, {"alert_at", 0.5}}});
        for (int i = 0; i < 2; ++i)
            QCOMPARE(call("/v1/chat/completions", chat("gpt-4o", false, 5), session("alert-1")).status, 200);
        QTRY_COMPARE(m_alerts.size(), 1);
        QCOMPARE(m_alerts.at(0).at(1), QStringLiteral("alert-1"));
        QVERIFY(!m_alerts.at(0).at(2).isEmpty());
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("sessionId");
        QTest::addColumn<int>("before");      // requests that pass first
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("limit");   // what the message names
        for (const QByteArray &path : {QByteArray("/v1/chat/completions"), QByteArray("/v1/messages")}) {
            const bool a = path == "/v1/messages";
            const QByteArray tag = a ? " messages" : " chat";
            QTest::newRow("budget" + tag) << path << QByteArray("capped-" + tag.trimmed()) << 0 << 402
                                         << (a ? "billing_error" : "budget_exceeded") << "Budget";
            QTest::newRow("rpm" + tag) << path << QByteArray("rpm-" + tag.trimmed()) << 2 << 429
                                      << (a ? "rate_limit_error" : "rate_limit_exceeded") << "requests per minute";
            // Each request holds 28 tokens (8 of prompt, max_tokens 20) against 50 per minute.
            QTest::newRow("tpm" + tag) << path << QByteArray("tpm-" + tag.trimmed()) << 1 << 429
                                      << (a ? "rate_limit_error" : "rate_limit_exceeded") << "tokens per minute";
        }
    }

    void refusals()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, sessionId);
        QFETCH(int, before);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QString, limit);
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "capped-*"}, {"window", "day"}, {"max_tokens", 10}}});
        const bool anthropic = path == "/v1/messages";
        const QByteArray body = chat(anthropic ? "claude-x" : "gpt-4o", false, 20);
        for (int i = 0; i < before; ++i)
            QCOMPARE(call(path, body, session(sessionId)).status, 200);
        const quint64 served = simulator(&SimulatorServer::requestsServed);
        const Reply r = call(path, body, session(sessionId));
        QCOMPARE(r.status, status);
        QCOMPARE(simulator(&SimulatorServer::requestsServed), served); // nothing went upstream
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        const QJsonObject e = o.value("error").toObject();
        if (anthropic)
            QCOMPARE(o.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(e.value("type").toString(), type);
        QVERIFY2(e.value("message").toString().contains(limit), qPrintable(e.value("message").toString()));
        QVERIFY(e.value("message").toString().contains(QString::fromUtf8(sessionId)));
        if (status == 429) {
            QCOMPARE(r.headers.value("x-should-retry"), QByteArray("true"));
            QVERIFY(r.headers.value("retry-after").toInt() >= 1);
            QVERIFY(r.headers.value("retry-after-ms").toInt() >= 1);
        } else {
            QCOMPARE(r.headers.value("x-should-retry"), QByteArray("false"));
        }
    }

    void concurrencyLimitInBothDialects()
    {
        for (const QByteArray &path : {QByteArray("/v1/chat/completions"), QByteArray("/v1/messages")}) {
            const bool anthropic = path == "/v1/messages";
            const QByteArray body = chat(anthropic ? "claude-x" : "gpt-4o", false, 5);
            HttpHeaders slow = session("conc-" + path);
            slow.add("x-sim-ttft-ms", "800");
            Reply first;
            std::unique_ptr<UpstreamCall> c(send(path, body, slow, &first));
            QTest::qWait(200);
            const Reply second = call(path, body, session("conc-" + path));
            QCOMPARE(second.status, 429);
            QVERIFY(second.body.contains("concurrent requests"));
            QTRY_VERIFY_WITH_TIMEOUT(first.done, 5000);
            QCOMPARE(first.status, 200);
            QCOMPARE(call(path, body, session("conc-" + path)).status, 200);
        }
    }

    void successCarriesTheRemainingFigures()
    {
        setBudgets(QJsonArray{QJsonObject{{"scope", "session"}, {"match", "fig-*"}, {"window", "day"}, {"max_tokens", 10000}}});
        const Reply r = call("/v1/chat/completions", chat("gpt-4o", false, 5), session("rpm-figures"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-ratelimit-remaining-requests"), QByteArray("1"));
        const Reply b = call("/v1/chat/completions", chat("gpt-4o", false, 5), session("fig-1"));
        QVERIFY2(b.headers.value("x-tokenfuse-budget-remaining").endsWith(" tokens"), b.headers.value("x-tokenfuse-budget-remaining").constData());
        QVERIFY(b.headers.value("x-tokenfuse-budget-remaining").split(' ').at(0).toLongLong() < 10000);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayBudgets)
#include "tst_GatewayBudgets.moc"
