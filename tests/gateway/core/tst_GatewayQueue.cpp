// An upstream's concurrency limit through the real gateway: once max_concurrency requests are in
// flight the next ones wait in its queue, higher tiers first; a full queue or a long wait is a 503
// in the caller's dialect with retry-after and a message saying why, and its row; a 429 from the
// upstream lowers the limit in force.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"
#include "upstream/UpstreamCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QtTest>

#include <memory>

namespace {
QByteArray chat(int i, bool stream = false)
{
    return QJsonDocument(QJsonObject{{"model", "m-1"},
                                     {"stream", stream},
                                     {"max_tokens", 16},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QStringLiteral("queue question %1").arg(i * 7919)}}}}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject upstream(quint16 port, int limit, int queue, int timeoutMs)
{
    return {{"name", "a"},
            {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)},
            {"max_concurrency", limit},
            {"max_queue", queue},
            {"queue_timeout_ms", timeoutMs}};
}

void pace(SimulatorThread &sim, double tokensPerSecond)
{
    sim.run([tokensPerSecond](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.ttftMs = 0;
        p.tokensPerSecond = tokensPerSecond;
        s->setProfile(p);
    });
}

HttpHeaders tenant(const QByteArray &name)
{
    HttpHeaders h;
    h.add("x-tenant-id", name);
    return h;
}

QJsonObject upstreamView(RunningGateway &gw)
{
    return QJsonDocument::fromJson(gw.client().admin("GET", "upstreams/a").body).object();
}

struct Pending
{
    GatewayClient::Reply reply;
    std::unique_ptr<UpstreamCall> call;
};

std::unique_ptr<Pending> send(RunningGateway &gw, const QByteArray &body, const HttpHeaders &headers = {})
{
    auto p = std::make_unique<Pending>();
    p->call.reset(gw.client().start("/v1/chat/completions", body, headers, &p->reply));
    return p;
}
} // namespace

class tst_GatewayQueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aFullUpstreamQueuesThenRefusesWithRetryAfter()
    {
        SimulatorThread sim;
        pace(sim, 16); // 16 tokens: about a second each
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 1, 1, 30'000)}}}), qPrintable(gw.error()));

        int queuedInSnapshot = -1;
        QObject::connect(gw.host(), &GatewayHost::snapshotReady, gw.host(), [&](const GatewaySnapshot &snap) {
            if (!snap.upstreamViews.isEmpty())
                queuedInSnapshot = snap.upstreamViews.first().queued;
        });
        auto holder = send(gw, chat(1, true));
        QTRY_VERIFY(holder->reply.body.contains("data: "));
        auto waiting = send(gw, chat(2));
        QTRY_COMPARE(queuedInSnapshot, 1); // what the console's Upstreams page shows
        QTRY_COMPARE(upstreamView(gw).value("queued").toInt(), 1);
        QCOMPARE(upstreamView(gw).value("limit").toInt(), 1);
        QVERIFY(!waiting->reply.done);
        // The same on /metrics.
        const QByteArray scraped = gw.client().call("/metrics", {}, {}, "GET").body;
        QVERIFY2(scraped.contains("tokenfuse_upstream_queued{upstream=\"a\"} 1\n"),
                 scraped.mid(scraped.indexOf("tokenfuse_upstream_in_flight"), 600).constData());
        QVERIFY(scraped.contains("tokenfuse_upstream_concurrency_limit{upstream=\"a\"} 1\n"));

        // Limit reached and queue full: refused at once, in the caller's dialect.
        const GatewayClient::Reply refused = gw.client().call("/v1/chat/completions", chat(3));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.headers.value("retry-after"), QByteArray("1"));
        QCOMPARE(refused.headers.value("x-should-retry"), QByteArray("true"));
        const QString message = QJsonDocument::fromJson(refused.body).object().value("error").toObject().value("message").toString();
        QVERIFY2(message.contains(QLatin1String("upstream a has 1 requests in flight")) && message.contains(QLatin1String("queue is full")), qPrintable(message));
        QVERIFY(!holder->reply.done);

        // The holder ends, the waiter goes in and is answered.
        QTRY_VERIFY_WITH_TIMEOUT(holder->reply.done, 15000);
        QCOMPARE(holder->reply.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(waiting->reply.done, 15000);
        QCOMPARE(waiting->reply.status, 200);
        QCOMPARE(upstreamView(gw).value("queued").toInt(), 0);
        QCOMPARE(sim.read(&SimulatorServer::requestsServed), quint64(2)); // the refused one never left

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("queue"));
        db.setDatabaseName(gw.dataDir() + QStringLiteral("/tokenfuse.db"));
        QVERIFY(db.open());
        const auto refusedRows = [&db] {
            QSqlQuery q(db);
            q.exec(QStringLiteral("SELECT status, error FROM requests WHERE status = 503"));
            QStringList out;
            while (q.next())
                out << QStringLiteral("%1 %2").arg(q.value(0).toInt()).arg(q.value(1).toString());
            return out;
        };
        QTRY_COMPARE(refusedRows(), QStringList{"503 upstream_busy"});
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("queue"));
    }

    void otherEndpointsWaitForTheSameSlots()
    {
        SimulatorThread sim;
        pace(sim, 16);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 1, 4, 30'000)}}}), qPrintable(gw.error()));
        auto holder = send(gw, chat(1, true));
        QTRY_VERIFY(holder->reply.body.contains("data: "));
        // GET /v1/models goes to the same provider: it waits for the slot like a chat would.
        GatewayClient::Reply models;
        std::unique_ptr<UpstreamCall> call(gw.client().start("/v1/models", {}, {}, &models, "GET"));
        QTRY_COMPARE(upstreamView(gw).value("queued").toInt(), 1);
        QVERIFY(!models.done);
        QTRY_VERIFY_WITH_TIMEOUT(holder->reply.done, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(models.done, 15000);
        QCOMPARE(models.status, 200);
        QVERIFY(models.body.contains("\"object\":\"list\""));
    }

    void aRequestThatFailsOverGivesItsSlotBack()
    {
        SimulatorThread sim;
        pace(sim, 4); // 16 tokens: four seconds in flight
        quint16 deadPort = 0;
        {
            QTcpServer s;
            QVERIFY(s.listen(QHostAddress::LocalHost, 0));
            deadPort = s.serverPort();
        }
        // One slot and no queue at the first, dead upstream; the live one behind it.
        QJsonObject dead{{"name", "dead"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(deadPort)}, {"priority", 0},
                         {"max_concurrency", 1}, {"max_queue", 0}, {"breaker", QJsonObject{{"consecutive", 100}}}};
        QJsonObject live{{"name", "live"}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(sim.port())}, {"priority", 1}};
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{dead, live}}}), qPrintable(gw.error()));
        auto first = send(gw, chat(1, true));
        QTRY_VERIFY(first->reply.body.contains("data: "));
        QCOMPARE(first->reply.headers.value("x-tokenfuse-upstream"), QByteArray("live"));
        // The first is streaming from live: the dead one's slot is free for the next request,
        // which fails over the same way instead of a 503 "queue is full".
        auto second = send(gw, chat(2, true));
        QTRY_VERIFY(second->reply.done || second->reply.body.contains("data: "));
        QCOMPARE(second->reply.status, 200);
        QCOMPARE(second->reply.headers.value("x-tokenfuse-upstream"), QByteArray("live"));
        QCOMPARE(second->reply.headers.value("x-tokenfuse-attempts"), QByteArray("2"));
        QVERIFY(!first->reply.done); // both at once: the first's slot at dead was not still held
    }

    void aHigherTierTakesTheQueuedPlaceOfALowerOne()
    {
        SimulatorThread sim;
        pace(sim, 16);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 1, 1, 30'000)}},
                                      {"tenants", QJsonArray{QJsonObject{{"match", "vip-*"}, {"priority", 5}},
                                                             QJsonObject{{"match", "ci"}, {"priority", -1}}}}}),
                 qPrintable(gw.error()));
        auto holder = send(gw, chat(1, true));
        QTRY_VERIFY(holder->reply.body.contains("data: "));
        auto low = send(gw, chat(2), tenant("ci"));
        QTRY_COMPARE(upstreamView(gw).value("queued").toInt(), 1);
        auto high = send(gw, chat(3), tenant("vip-anna"));
        // The low one gives its place up, and hears why.
        QTRY_VERIFY(low->reply.done);
        QCOMPARE(low->reply.status, 503);
        QVERIFY2(low->reply.body.contains("higher tier"), low->reply.body.constData());
        QCOMPARE(low->reply.headers.value("retry-after"), QByteArray("1"));
        QTRY_VERIFY_WITH_TIMEOUT(high->reply.done, 15000);
        QCOMPARE(high->reply.status, 200);
        // An equal tier behind a full queue is refused itself.
        auto holder2 = send(gw, chat(4, true));
        QTRY_VERIFY(holder2->reply.body.contains("data: "));
        auto first = send(gw, chat(5), tenant("vip-bo"));
        QTRY_COMPARE(upstreamView(gw).value("queued").toInt(), 1);
        const GatewayClient::Reply second = gw.client().call("/v1/chat/completions", chat(6), tenant("vip-cy"));
        QCOMPARE(second.status, 503);
        QTRY_VERIFY_WITH_TIMEOUT(first->reply.done, 15000);
        QCOMPARE(first->reply.status, 200);
    }

    void aVirtualKeysPriorityOutranksItsTenants()
    {
        SimulatorThread sim;
        pace(sim, 16);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 1, 1, 30'000)}},
                                      {"tenants", QJsonArray{QJsonObject{{"match", "ci"}, {"priority", -1}}}}}),
                 qPrintable(gw.error()));
        const GatewayClient::Reply made = gw.client().admin("POST", "keys", QJsonObject{{"tenant", "ci"}, {"name", "release"}, {"priority", 5}});
        QCOMPARE(made.status, 201);
        const QJsonObject key = QJsonDocument::fromJson(made.body).object();
        QCOMPARE(key.value("priority").toInt(), 5);
        QCOMPARE(gw.client().admin("POST", "keys", QJsonObject{{"tenant", "ci"}, {"priority", 1.5}}).status, 400);
        HttpHeaders urgent;
        urgent.add("authorization", "Bearer " + key.value("key").toString().toUtf8());

        auto holder = send(gw, chat(1, true));
        QTRY_VERIFY(holder->reply.body.contains("data: "));
        auto plain = send(gw, chat(2), tenant("ci")); // tier -1
        QTRY_COMPARE(upstreamView(gw).value("queued").toInt(), 1);
        auto keyed = send(gw, chat(3), urgent);        // the same tenant, tier 5 by its key
        QTRY_VERIFY(plain->reply.done);
        QCOMPARE(plain->reply.status, 503);
        QTRY_VERIFY_WITH_TIMEOUT(keyed->reply.done, 15000);
        QCOMPARE(keyed->reply.status, 200);
        const QJsonArray keys = QJsonDocument::fromJson(gw.client().admin("GET", "keys").body).object().value("keys").toArray();
        QCOMPARE(keys.size(), 1);
        QCOMPARE(keys.first().toObject().value("priority").toInt(), 5);
    }

    void aLongWaitIsRefused()
    {
        SimulatorThread sim;
        pace(sim, 4); // 16 tokens: four seconds
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 1, 8, 300)}}}), qPrintable(gw.error()));
        auto holder = send(gw, chat(1, true));
        QTRY_VERIFY(holder->reply.body.contains("data: "));
        QElapsedTimer waited;
        waited.start();
        const GatewayClient::Reply late = gw.client().call("/v1/chat/completions", chat(2));
        QCOMPARE(late.status, 503);
        QVERIFY(waited.elapsed() >= 300);
        QVERIFY2(late.body.contains("no free slot within 0.3 s"), late.body.constData());
        QVERIFY(!holder->reply.done);
    }

    void an429LowersTheLimitInForce()
    {
        SimulatorThread sim;
        pace(sim, 0);
        RunningGateway gw;
        QVERIFY2(gw.start(QJsonObject{{"upstreams", QJsonArray{upstream(sim.port(), 10, 8, 30'000)}}, {"retries", QJsonObject{{"max_attempts", 1}}}}),
                 qPrintable(gw.error()));
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(1)).status, 200);
        QCOMPARE(upstreamView(gw).value("limit").toInt(), 10);
        sim.run([](SimulatorServer *s) {
            SimulatorProfile p = s->profile();
            p.faultStatus = 429;
            s->setProfile(p);
        });
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(2)).status, 429);
        QCOMPARE(upstreamView(gw).value("limit").toInt(), 7);
        QCOMPARE(upstreamView(gw).value("configured_limit").toInt(), 10);
        QVERIFY(gw.client().call("/metrics", {}, {}, "GET").body.contains("tokenfuse_upstream_concurrency_limit{upstream=\"a\"} 7\n"));
        sim.run([](SimulatorServer *s) {
            SimulatorProfile p = s->profile();
            p.faultStatus = 0;
            s->setProfile(p);
        });
        // Seven successes in a row at 7: back up by one.
        for (int i = 0; i < 7; ++i)
            QCOMPARE(gw.client().call("/v1/chat/completions", chat(10 + i)).status, 200);
        QCOMPARE(upstreamView(gw).value("limit").toInt(), 8);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayQueue)
#include "tst_GatewayQueue.moc"
