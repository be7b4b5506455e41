// Several upstreams for one model, through the real gateway: a dead primary's breaker opens after
// its failures and its traffic stops, the backup answers; every breaker open is a 503 in the
// caller's dialect; the state is on GET /metrics, in the snapshot and in the log.
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
// The breaker's defaults (UpstreamBreaker::Policy): open after 5 failures in a row, for 15 s.
constexpr int FailuresToOpen = 5;
const QByteArray Chat = R"({"model":"m-1","messages":[{"role":"user","content":"hi"}],"max_tokens":8})";
// Each request its own, so the loop detector sees no agent repeating itself.
QByteArray chat(int i)
{
    return QStringLiteral(R"({"model":"m-1","messages":[{"role":"user","content":"question number %1 of a test about routing"}],"max_tokens":8})")
        .arg(i * 7919).toUtf8();
}
const QByteArray Message = R"({"model":"claude-x","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})";

QJsonObject upstream(const QString &name, quint16 port, int priority, const QString &dialect = QStringLiteral("openai"))
{
    return {{"name", name}, {"base_url", QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(dialect == QLatin1String("openai") ? "/v1" : "")},
            {"dialect", dialect}, {"priority", priority}};
}

void failWith(SimulatorThread &sim, int status)
{
    sim.run([status](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.faultStatus = status;
        p.ttftMs = 0;
        s->setProfile(p);
    });
}

void quick(SimulatorThread &sim)
{
    sim.run([](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.ttftMs = 0;
        p.tokensPerSecond = 0;
        s->setProfile(p);
    });
}
} // namespace

class tst_GatewayFailover : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aDeadPrimaryStopsGettingTrafficOnceItsBreakerOpens()
    {
        SimulatorThread dead, live;
        failWith(dead, 503);
        quick(live);
        RunningGateway gw;
        QJsonObject liveUpstream = upstream("live", live.port(), 1);
        liveUpstream.insert("api_key", "sk-test-0123456789-abcdef-9876");
        QVERIFY(gw.create(QJsonObject{{"upstreams", QJsonArray{upstream("dead", dead.port(), 0), liveUpstream}}}));
        QList<UpstreamTransitionView> transitions;
        QStringList log;
        connect(gw.host(), &GatewayHost::upstreamBreakerChanged, this, [&](const UpstreamTransitionView &t) { transitions << t; });
        connect(gw.host(), &GatewayHost::logLine, this, [&](const QString &line) { log << line; });
        QList<GatewaySnapshot> snapshots;
        connect(gw.host(), &GatewayHost::snapshotReady, this, [&](const GatewaySnapshot &s) { snapshots << s; });
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        // Each request tries the primary, gets its 503 and fails over to the backup at once: the
        // client sees a 200 from the backup, and two attempts.
        for (int i = 0; i < FailuresToOpen; ++i) {
            const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", chat(i));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.headers.value("x-tokenfuse-upstream"), QByteArray("live"));
            QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("2"));
        }
        QTRY_VERIFY(!transitions.isEmpty());
        QCOMPARE(transitions.first().upstream, QStringLiteral("dead"));
        QCOMPARE(transitions.first().to, QStringLiteral("open"));
        QVERIFY2(transitions.first().reason.contains(QLatin1String("503")), qPrintable(transitions.first().reason));
        QVERIFY(std::any_of(log.cbegin(), log.cend(), [](const QString &l) { return l.contains(QLatin1String("upstream dead: breaker closed -> open")); }));

        const quint64 deadServed = dead.read(&SimulatorServer::requestsServed);
        QCOMPARE(deadServed, quint64(FailuresToOpen));
        // Once it is open, requests go straight to the backup.
        for (int i = 0; i < 5; ++i) {
            const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", chat(100 + i));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.headers.value("x-tokenfuse-attempts"), QByteArray("1"));
        }
        QCOMPARE(dead.read(&SimulatorServer::requestsServed), deadServed); // not one more
        QCOMPARE(live.read(&SimulatorServer::requestsServed), quint64(FailuresToOpen + 5));

        // The rows say which upstream answered and how many attempts it took.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("failover"));
            db.setDatabaseName(gw.dataDir() + QStringLiteral("/tokenfuse.db"));
            QVERIFY(db.open());
            const auto rows = [&db] {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT upstream, attempts, status FROM requests ORDER BY started_at, rowid"));
                QStringList out;
                while (q.next())
                    out << QStringLiteral("%1/%2/%3").arg(q.value(0).toString()).arg(q.value(1).toInt()).arg(q.value(2).toInt());
                return out;
            };
            QTRY_COMPARE(rows().size(), FailuresToOpen + 5);
            const QStringList all = rows();
            for (int i = 0; i < all.size(); ++i)
                QCOMPARE(all[i], i < FailuresToOpen ? QStringLiteral("live/2/200") : QStringLiteral("live/1/200"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("failover"));

        const GatewayClient::Reply metrics = gw.client().call("/metrics", {}, {}, "GET");
        QVERIFY(metrics.body.contains(R"(tokenfuse_upstream_breaker_state{upstream="dead",state="open"} 1)"));
        QVERIFY(metrics.body.contains(R"(tokenfuse_upstream_breaker_state{upstream="live",state="closed"} 1)"));

        // GET /admin/v1/upstreams: the same, and a hint of the key, never the key.
        const GatewayClient::Reply listed = gw.client().admin("GET", "upstreams");
        QCOMPARE(listed.status, 200);
        QVERIFY(!listed.body.contains("0123456789"));
        const QJsonArray ups = QJsonDocument::fromJson(listed.body).object().value("upstreams").toArray();
        QCOMPARE(ups.size(), 2);
        QCOMPARE(ups[0].toObject().value("name").toString(), QStringLiteral("dead"));
        QCOMPARE(ups[0].toObject().value("breaker").toObject().value("state").toString(), QStringLiteral("open"));
        QVERIFY(ups[0].toObject().value("breaker").toObject().value("reason").toString().contains(QLatin1String("503")));
        QCOMPARE(ups[1].toObject().value("breaker").toObject().value("state").toString(), QStringLiteral("closed"));
        QCOMPARE(ups[1].toObject().value("key_hint").toString(), QStringLiteral("sk-…9876"));
        QCOMPARE(gw.client().admin("GET", "upstreams/live").status, 200);
        QCOMPARE(gw.client().admin("GET", "upstreams/nobody").status, 404);

        QTRY_VERIFY(!snapshots.isEmpty() && snapshots.last().upstreamViews.size() == 2 && snapshots.last().upstreamViews[1].requests == FailuresToOpen + 5);
        const UpstreamView deadView = snapshots.last().upstreamViews[0];
        QCOMPARE(deadView.name, QStringLiteral("dead"));
        QCOMPARE(deadView.breaker, QStringLiteral("open"));
        QCOMPARE(deadView.failures, FailuresToOpen);
        QVERIFY(deadView.retryAtMs > QDateTime::currentMSecsSinceEpoch());
        bool transitionSeen = false;
        for (const GatewaySnapshot &s : std::as_const(snapshots))
            transitionSeen |= !s.upstreamTransitions.isEmpty() && s.upstreamTransitions.first().upstream == QLatin1String("dead");
        QVERIFY(transitionSeen);
    }

    void everyBreakerOpenIsA503WithRetryAfterInTheCallersDialect()
    {
        SimulatorThread dead;
        failWith(dead, 500);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream("claude", dead.port(), 0, QStringLiteral("anthropic"))}}}), qPrintable(gw.error()));
        // Three attempts each (the retry policy's default), the upstream's 500 passed on at the end,
        // until its fifth failure in a row opens the breaker.
        const GatewayClient::Reply first = gw.client().call("/v1/messages", Message);
        QCOMPARE(first.status, 500);
        QCOMPARE(first.headers.value("x-tokenfuse-attempts"), QByteArray("3"));
        QCOMPARE(dead.read(&SimulatorServer::requestsServed), quint64(3));
        const GatewayClient::Reply second = gw.client().call("/v1/messages", Message);
        QCOMPARE(second.status, 500);
        QCOMPARE(second.headers.value("x-tokenfuse-attempts"), QByteArray("2")); // the breaker opened after its second
        const GatewayClient::Reply refused = gw.client().call("/v1/messages", Message);
        QCOMPARE(refused.status, 503);
        QCOMPARE(dead.read(&SimulatorServer::requestsServed), quint64(FailuresToOpen));
        const qint64 retryAfter = refused.headers.value("retry-after").toLongLong();
        QVERIFY2(retryAfter >= 10 && retryAfter <= 15, refused.headers.value("retry-after").constData());
        const QJsonObject body = QJsonDocument::fromJson(refused.body).object();
        QCOMPARE(body.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(body.value("error").toObject().value("type").toString(), QStringLiteral("overloaded_error"));
        const QString message = body.value("error").toObject().value("message").toString();
        QVERIFY2(message.contains(QLatin1String("claude")) && message.contains(QLatin1String("500")), qPrintable(message));
        QCOMPARE(refused.headers.value("x-should-retry"), QByteArray("true"));
    }

    void aClientsOwnMistakeNeverOpensTheBreaker()
    {
        SimulatorThread sim;
        quick(sim);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream("u", sim.port(), 0)}}}), qPrintable(gw.error()));
        // The simulator answers 400 to a request without messages: the client's fault.
        for (int i = 0; i < 2 * FailuresToOpen; ++i)
            QCOMPARE(gw.client().call("/v1/chat/completions", R"({"model":"m-1","messages":"nope"})").status, 400);
        QCOMPARE(gw.client().call("/v1/chat/completions", Chat).status, 200);
        const GatewayClient::Reply metrics = gw.client().call("/metrics", {}, {}, "GET");
        QVERIFY(metrics.body.contains(R"(tokenfuse_upstream_breaker_state{upstream="u",state="closed"} 1)"));
    }

    void aFallbackModelAnswersWhenEveryUpstreamOfTheModelIsDown()
    {
        SimulatorThread dead, live;
        failWith(dead, 503);
        quick(live);
        QJsonObject reasoner = upstream("reasoner", dead.port(), 0);
        reasoner.insert("models", QJsonArray{"deepseek-reasoner"});
        reasoner.insert("breaker", QJsonObject{{"consecutive", 1}, {"cooldown_ms", 60000}});
        QJsonObject chatUpstream = upstream("chat", live.port(), 0);
        chatUpstream.insert("models", QJsonArray{"deepseek-chat"});
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{reasoner, chatUpstream}},
                                      {"retries", QJsonObject{{"max_attempts", 1}}},
                                      {"model_fallbacks", QJsonObject{{"deepseek-reasoner", "deepseek-chat"}}}}),
                 qPrintable(gw.error()));
        const QByteArray ask = R"({"model":"deepseek-reasoner","messages":[{"role":"user","content":"think hard"}],"max_tokens":8})";
        QCOMPARE(gw.client().call("/v1/chat/completions", ask).status, 503); // the reasoner's own answer; its breaker opens
        const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", ask);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenfuse-fallback"), QByteArray("deepseek-reasoner -> deepseek-chat"));
        QCOMPARE(r.headers.value("x-tokenfuse-upstream"), QByteArray("chat"));
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("model").toString(), QStringLiteral("deepseek-chat"));
        QCOMPARE(dead.read(&SimulatorServer::requestsServed), quint64(1));

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fallback"));
        db.setDatabaseName(gw.dataDir() + QStringLiteral("/tokenfuse.db"));
        QVERIFY(db.open());
        QTRY_VERIFY([&db] {
            QSqlQuery q(db);
            q.exec(QStringLiteral("SELECT model, fallback_from, upstream FROM requests WHERE status = 200"));
            return q.next() && q.value(0).toString() == QLatin1String("deepseek-chat")
                && q.value(1).toString() == QLatin1String("deepseek-reasoner") && q.value(2).toString() == QLatin1String("chat");
        }());
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("fallback"));
    }

    void anAliasSendsTheProvidersNameForTheModel()
    {
        SimulatorThread sim;
        quick(sim);
        QJsonObject u = upstream("local", sim.port(), 0);
        u.insert("models", QJsonArray{"qwen2.5-*"});
        u.insert("aliases", QJsonObject{{"fast", "qwen2.5-coder-7b"}});
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{u}}}), qPrintable(gw.error()));
        const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})");
        QCOMPARE(r.status, 200);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("model").toString(), QStringLiteral("qwen2.5-coder-7b"));
        QCOMPARE(gw.client().call("/v1/chat/completions", R"({"model":"slow","messages":[{"role":"user","content":"hi"}]})").status, 404);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayFailover)
#include "tst_GatewayFailover.moc"
