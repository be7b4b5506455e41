// The upstream routes of the admin API through a real gateway started from a real config file:
// add, change, disable, enable and remove an upstream, each written to the file, in force for the
// next request and audited; mistakes answered 400 naming the key; Test sends one tiny request.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

namespace {
QJsonObject upstream(const QString &name, quint16 port, const QStringList &models)
{
    return {{"name", name}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)}, {"models", QJsonArray::fromStringList(models)}};
}

QByteArray chat(const QString &model, int i)
{
    return QJsonDocument(QJsonObject{{"model", model},
                                     {"max_tokens", 8},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QStringLiteral("admin question %1").arg(i * 7919)}}}}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject body(const GatewayClient::Reply &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

QJsonObject readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QStringList names(const QJsonArray &upstreams)
{
    QStringList out;
    for (const QJsonValue &v : upstreams)
        out << v.toObject().value("name").toString();
    return out;
}

quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed again when it goes
}
} // namespace

class tst_AdminUpstreams : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_path = m_dir->filePath("config.json");
        QSaveFile f(m_path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{"default_max_tokens", 64}, {"upstreams", QJsonArray{upstream("a", m_a.port(), {"m-a"})}}}).toJson());
        QVERIFY(f.commit());
        m_gw = std::make_unique<RunningGateway>();
        QVERIFY2(m_gw->createFromFile(m_path), qPrintable(m_gw->error()));
        QVERIFY2(m_gw->start(), qPrintable(m_gw->error()));
    }

    void cleanup() { m_gw.reset(); }

    void anUpstreamAddedChangedAndRemovedIsInTheFileAndInForce()
    {
        GatewayClient &c = m_gw->client();
        QCOMPARE(c.call("/v1/chat/completions", chat("m-b", 1)).status, 404);

        const GatewayClient::Reply added = c.admin("POST", "upstreams", upstream("b", m_b.port(), {"m-b"}));
        QCOMPARE(added.status, 201);
        QCOMPARE(body(added).value("name").toString(), QStringLiteral("b"));
        QCOMPARE(body(added).value("stored_in").toString(), "config file " + m_path);
        QCOMPARE(names(readFile(m_path).value("upstreams").toArray()), (QStringList{"a", "b"}));
        QCOMPARE(readFile(m_path).value("default_max_tokens").toInt(), 64); // the rest of the file as it was
        const GatewayClient::Reply routed = c.call("/v1/chat/completions", chat("m-b", 2));
        QCOMPARE(routed.status, 200);
        QCOMPARE(routed.headers.value("x-tokenfuse-upstream"), QByteArray("b"));

        // The same name again: refused, nothing changed.
        const GatewayClient::Reply twice = c.admin("POST", "upstreams", upstream("b", m_a.port(), {"m-x"}));
        QCOMPARE(twice.status, 409);
        QVERIFY(body(twice).value("error").toObject().value("message").toString().contains(QLatin1String("PUT /admin/v1/upstreams/b")));

        // Changed: its models now m-c.
        const GatewayClient::Reply put = c.admin("PUT", "upstreams/b", upstream("b", m_b.port(), {"m-c"}));
        QCOMPARE(put.status, 200);
        QCOMPARE(body(put).value("models").toArray().first().toString(), QStringLiteral("m-c"));
        QCOMPARE(c.call("/v1/chat/completions", chat("m-b", 3)).status, 404);
        QCOMPARE(c.call("/v1/chat/completions", chat("m-c", 4)).status, 200);

        // Disabled: kept in the file, never routed to.
        QCOMPARE(c.admin("POST", "upstreams/b/disable").status, 200);
        QCOMPARE(readFile(m_path).value("upstreams").toArray().at(1).toObject().value("enabled").toBool(true), false);
        QCOMPARE(c.call("/v1/chat/completions", chat("m-c", 5)).status, 404);
        const QJsonArray listed = body(c.admin("GET", "upstreams")).value("upstreams").toArray();
        QCOMPARE(listed.at(1).toObject().value("enabled").toBool(true), false);
        QCOMPARE(c.admin("POST", "upstreams/b/enable").status, 200);
        QCOMPARE(c.call("/v1/chat/completions", chat("m-c", 6)).status, 200);

        // Removed.
        QCOMPARE(c.admin("DELETE", "upstreams/b").status, 200);
        QCOMPARE(names(readFile(m_path).value("upstreams").toArray()), QStringList{"a"});
        QCOMPARE(c.call("/v1/chat/completions", chat("m-c", 7)).status, 404);
        QCOMPARE(c.admin("DELETE", "upstreams/b").status, 404);
        QCOMPARE(m_b.read(&SimulatorServer::requestsServed), quint64(3));

        // Each change audited (the newest first).
        QStringList actions;
        const auto audited = [&] {
            QStringList out;
            for (const QJsonValue &e : body(c.admin("GET", "audit")).value("audit").toArray())
                if (e.toObject().value("action").toString().startsWith(QLatin1String("upstreams.")))
                    out.prepend(e.toObject().value("action").toString());
            return out;
        };
        QTRY_COMPARE(audited().size(), 5);
        actions = audited();
        QCOMPARE(actions, (QStringList{"upstreams.add", "upstreams.put", "upstreams.disable", "upstreams.enable", "upstreams.delete"}));
    }

    void mistakesAreRefusedNamingTheKeyAndChangeNothing()
    {
        GatewayClient &c = m_gw->client();
        const QByteArray before = [&] {
            QFile f(m_path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        QJsonObject bad = upstream("c", m_b.port(), {"m-c"});
        bad.insert("base_url", "ftp://nowhere");
        bad.insert("api_key", "sk-refused-0123456789-zzzz");
        const GatewayClient::Reply r = c.admin("POST", "upstreams", bad);
        QCOMPARE(r.status, 400);
        QVERIFY2(body(r).value("error").toObject().value("message").toString().contains(QLatin1String("upstreams[1].base_url")), r.body.constData());
        // The key of a refused change is not kept either.
        QFile secrets(m_gw->dataDir() + QStringLiteral("/secrets.json"));
        QVERIFY(!secrets.open(QIODevice::ReadOnly) || !secrets.readAll().contains("0123456789"));
        QJsonObject unknown = upstream("c", m_b.port(), {"m-c"});
        unknown.insert("modles", QJsonArray{"m-c"});
        const GatewayClient::Reply r2 = c.admin("POST", "upstreams", unknown);
        QCOMPARE(r2.status, 400);
        QVERIFY2(body(r2).value("error").toObject().value("message").toString().contains(QLatin1String("'modles'")), r2.body.constData());
        QCOMPARE(c.admin("POST", "upstreams", QJsonArray{}).status, 400);
        QCOMPARE(c.admin("PUT", "upstreams/nobody", upstream("nobody", m_b.port(), {})).status, 404);
        QCOMPARE(c.admin("PATCH", "upstreams/a").status, 405);
        QFile f(m_path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        QCOMPARE(c.call("/v1/chat/completions", chat("m-a", 1)).status, 200);
    }

    void testSendsOneTinyRequestAndTellsHowItWent()
    {
        GatewayClient &c = m_gw->client();
        const quint64 served = m_a.read(&SimulatorServer::requestsServed);
        const GatewayClient::Reply ok = c.admin("POST", "upstreams/a/test");
        QCOMPARE(ok.status, 200);
        const QJsonObject result = body(ok);
        QCOMPARE(result.value("upstream").toString(), QStringLiteral("a"));
        QCOMPARE(result.value("ok").toBool(), true);
        QCOMPARE(result.value("status").toInt(), 200);
        QVERIFY(result.value("latency_ms").toInteger() >= 0);
        QVERIFY2(result.value("message").toString().startsWith(QLatin1String("200 in ")), qPrintable(result.value("message").toString()));
        QCOMPARE(m_a.read(&SimulatorServer::requestsServed), served + 1);

        QCOMPARE(c.admin("POST", "upstreams", upstream("gone", closedPort(), {"m-g"})).status, 201);
        const QJsonObject failed = body(c.admin("POST", "upstreams/gone/test"));
        QCOMPARE(failed.value("ok").toBool(true), false);
        QCOMPARE(failed.value("status").toInt(), 0);
        QVERIFY2(failed.value("message").toString().contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(failed.value("message").toString()));
        QCOMPARE(c.admin("POST", "upstreams/nobody/test").status, 404);
        QCOMPARE(c.admin("GET", "upstreams/a/test").status, 405);
    }

    void theFirstUpstreamAddedTakesOverFromTheSimulatorAndTheLastRemovedHandsBack()
    {
        // A new user's start: a config file without upstreams (the simulator answers everything).
        QTemporaryDir dir;
        const QString path = dir.filePath("config.json");
        {
            QSaveFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{}\n");
            QVERIFY(f.commit());
        }
        RunningGateway gw;
        QVERIFY2(gw.createFromFile(path), qPrintable(gw.error()));
        QVERIFY2(gw.start(), qPrintable(gw.error()));
        GatewayClient &c = gw.client();
        QCOMPARE(c.call("/v1/chat/completions", chat("any-model", 1)).headers.value("x-tokenfuse-upstream"), QByteArray("simulator"));
        QCOMPARE(body(c.admin("GET", "upstreams")).value("simulator_only").toBool(), true);

        QJsonObject own = upstream("mine", m_b.port(), {});
        own.insert("api_key", "sk-pasted-abcdefghijkl-7777");
        const GatewayClient::Reply added = c.admin("POST", "upstreams", own);
        QCOMPARE(added.status, 201);
        QCOMPARE(body(added).value("key_hint").toString(), QStringLiteral("sk-…7777"));
        QCOMPARE(body(added).value("key_source").toString(), QStringLiteral("secret-store:upstream/mine"));
        QVERIFY(!added.body.contains("abcdefghijkl"));
        QVERIFY(!readFile(path).isEmpty());
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(!f.readAll().contains("abcdefghijkl")); // the key is in the secret store, not the file
        }
        const GatewayClient::Reply real = c.call("/v1/chat/completions", chat("any-model", 2));
        QCOMPARE(real.status, 200);
        QCOMPARE(real.headers.value("x-tokenfuse-upstream"), QByteArray("mine"));
        QCOMPARE(body(c.admin("GET", "upstreams")).value("simulator_only").toBool(), false);

        QCOMPARE(c.admin("DELETE", "upstreams/mine").status, 200);
        QCOMPARE(c.call("/v1/chat/completions", chat("any-model", 3)).headers.value("x-tokenfuse-upstream"), QByteArray("simulator"));
        // Its pasted key left the secret store with it.
        QFile secrets(gw.dataDir() + QStringLiteral("/secrets.json"));
        QVERIFY(!secrets.open(QIODevice::ReadOnly) || !secrets.readAll().contains("abcdefghijkl"));
    }

private:
    SimulatorThread m_a, m_b;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<RunningGateway> m_gw;
};

QTEST_GUILESS_MAIN(tst_AdminUpstreams)
#include "tst_AdminUpstreams.moc"
