// The config file reloaded live, through the real gateway and real files: a change routes the
// next request by the new file; an invalid file is refused with a message naming the key and the
// running config stays; a request in flight keeps the upstream and the price table it started with.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "core/GatewayHost.h"
#include "upstream/UpstreamCall.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

namespace {
QJsonObject upstream(const QString &name, quint16 port, const QStringList &models)
{
    return {{"name", name}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)}, {"models", QJsonArray::fromStringList(models)}};
}

QByteArray chat(const QString &model, int i, bool stream = false)
{
    return QJsonDocument(QJsonObject{{"model", model},
                                     {"stream", stream},
                                     {"max_tokens", 16},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QStringLiteral("reload question %1").arg(i * 7919)}}}}})
        .toJson(QJsonDocument::Compact);
}

// As an editor saves: a new file renamed over the old one.
void save(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
    QVERIFY(f.commit());
}

void save(const QString &path, const QJsonObject &config)
{
    save(path, QJsonDocument(config).toJson());
}

void quick(SimulatorThread &sim, double tokensPerSecond = 0)
{
    sim.run([tokensPerSecond](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.ttftMs = 0;
        p.tokensPerSecond = tokensPerSecond;
        s->setProfile(p);
    });
}

QJsonObject price(double input, double output)
{
    return {{"input", input}, {"output", output}, {"currency", "USD"}};
}
} // namespace

class tst_ConfigReload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aChangedFileRoutesTheNextRequestByIt()
    {
        SimulatorThread a, b;
        quick(a);
        quick(b);
        QTemporaryDir dir;
        const QString path = dir.filePath("config.json");
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a"})}}});
        RunningGateway gw;
        QVERIFY2(gw.createFromFile(path), qPrintable(gw.error()));
        QSignalSpy reloaded(gw.host(), &GatewayHost::configReloaded);
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        QCOMPARE(gw.client().call("/v1/chat/completions", chat("m-a", 1)).status, 200);
        QCOMPARE(gw.client().call("/v1/chat/completions", chat("m-b", 2)).status, 404);

        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a"}), upstream("b", b.port(), {"m-b"})}}});
        QTRY_COMPARE(reloaded.size(), 1);
        QCOMPARE(reloaded.at(0).at(0).toBool(), true);
        QVERIFY2(reloaded.at(0).at(1).toString().contains(QLatin1String("2 upstream(s)")), qPrintable(reloaded.at(0).at(1).toString()));
        const GatewayClient::Reply r = gw.client().call("/v1/chat/completions", chat("m-b", 3));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenfuse-upstream"), QByteArray("b"));
        QCOMPARE(b.read(&SimulatorServer::requestsServed), quint64(1));
        const QJsonArray listed = QJsonDocument::fromJson(gw.client().admin("GET", "upstreams").body).object().value("upstreams").toArray();
        QCOMPARE(listed.size(), 2);

        // Written in place (not renamed), as some editors and `>` do: noticed as well.
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(QJsonObject{{"upstreams", QJsonArray{upstream("b", b.port(), {"m-a", "m-b"})}}}).toJson());
        }
        QTRY_COMPARE(reloaded.size(), 2);
        QCOMPARE(reloaded.at(1).at(0).toBool(), true);
        const GatewayClient::Reply moved = gw.client().call("/v1/chat/completions", chat("m-a", 4));
        QCOMPARE(moved.status, 200);
        QCOMPARE(moved.headers.value("x-tokenfuse-upstream"), QByteArray("b"));
        QCOMPARE(a.read(&SimulatorServer::requestsServed), quint64(1));
    }

    void anInvalidFileIsRefusedNamingTheKeyAndTheRunningConfigStays()
    {
        SimulatorThread a;
        quick(a);
        QTemporaryDir dir;
        const QString path = dir.filePath("config.json");
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a"})}}});
        RunningGateway gw;
        QVERIFY2(gw.createFromFile(path), qPrintable(gw.error()));
        QSignalSpy reloaded(gw.host(), &GatewayHost::configReloaded);
        QStringList log;
        connect(gw.host(), &GatewayHost::logLine, this, [&](const QString &line) { log << line; });
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        QJsonObject bad = upstream("a", a.port(), {"m-a"});
        bad.insert("base_url", "ftp://nowhere");
        save(path, QJsonObject{{"upstreams", QJsonArray{bad}}});
        QTRY_COMPARE(reloaded.size(), 1);
        QCOMPARE(reloaded.at(0).at(0).toBool(), false);
        const QString message = reloaded.at(0).at(1).toString();
        QVERIFY2(message.contains(QLatin1String("upstreams[0].base_url")) && message.contains(QLatin1String("running config stays")), qPrintable(message));
        QVERIFY(log.contains(message));
        QCOMPARE(gw.client().call("/v1/chat/completions", chat("m-a", 1)).status, 200);

        // Half a file, as an editor crashing mid-save leaves it.
        save(path, QByteArray("{\"upstreams\": [{\"name\": \"a\","));
        QTRY_COMPARE(reloaded.size(), 2);
        QCOMPARE(reloaded.at(1).at(0).toBool(), false);
        QVERIFY2(reloaded.at(1).at(1).toString().contains(QLatin1String("not a JSON object")), qPrintable(reloaded.at(1).at(1).toString()));
        // An unknown key, named.
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a"})}}, {"budgetz", QJsonArray()}});
        QTRY_COMPARE(reloaded.size(), 3);
        QVERIFY2(reloaded.at(2).at(1).toString().contains(QLatin1String("'budgetz'")), qPrintable(reloaded.at(2).at(1).toString()));
        // Removed: what runs, stays.
        QVERIFY(QFile::remove(path));
        QTRY_COMPARE(reloaded.size(), 4);
        QCOMPARE(reloaded.at(3).at(0).toBool(), false);
        QCOMPARE(gw.client().call("/v1/chat/completions", chat("m-a", 2)).status, 200);
        QCOMPARE(a.read(&SimulatorServer::requestsServed), quint64(2));

        // Fixed: applied.
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a", "m-c"})}}});
        QTRY_COMPARE(reloaded.size(), 5);
        QCOMPARE(reloaded.at(4).at(0).toBool(), true);
        QCOMPARE(gw.client().call("/v1/chat/completions", chat("m-c", 3)).status, 200);
    }

    void aRequestInFlightKeepsItsUpstreamAndItsPrices()
    {
        SimulatorThread a, b;
        quick(a, 20); // 16 tokens at 20 a second: most of a second in flight
        quick(b);
        QTemporaryDir dir;
        const QString path = dir.filePath("config.json");
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("a", a.port(), {"m-a"})}}, {"pricing", QJsonObject{{"m-a", price(1, 2)}}}});
        RunningGateway gw;
        QVERIFY2(gw.createFromFile(path), qPrintable(gw.error()));
        QSignalSpy reloaded(gw.host(), &GatewayHost::configReloaded);
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        GatewayClient::Reply streamed;
        std::unique_ptr<UpstreamCall> call(gw.client().start("/v1/chat/completions", chat("m-a", 1, true), {}, &streamed));
        QTRY_VERIFY(streamed.body.contains("data: "));
        QVERIFY(!streamed.done);
        // Mid-stream: model m-a now goes to b, at a hundred times the price.
        save(path, QJsonObject{{"upstreams", QJsonArray{upstream("b", b.port(), {"m-a"})}}, {"pricing", QJsonObject{{"m-a", price(100, 200)}}}});
        QTRY_COMPARE(reloaded.size(), 1);
        QVERIFY(reloaded.at(0).at(0).toBool());
        QVERIFY(!streamed.done);
        QTRY_VERIFY_WITH_TIMEOUT(streamed.done, 15000);
        QCOMPARE(streamed.status, 200);
        QVERIFY(streamed.body.contains("[DONE]"));
        QCOMPARE(streamed.headers.value("x-tokenfuse-upstream"), QByteArray("a"));

        const GatewayClient::Reply after = gw.client().call("/v1/chat/completions", chat("m-a", 2));
        QCOMPARE(after.status, 200);
        QCOMPARE(after.headers.value("x-tokenfuse-upstream"), QByteArray("b"));

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("reload"));
        db.setDatabaseName(gw.dataDir() + QStringLiteral("/tokenfuse.db"));
        QVERIFY(db.open());
        struct Row
        {
            QString upstream;
            qint64 prompt, completion, cost;
        };
        const auto rows = [&db] {
            QSqlQuery q(db);
            q.exec(QStringLiteral("SELECT upstream, prompt_tokens, completion_tokens, cost_micros FROM requests ORDER BY started_at, rowid"));
            QList<Row> out;
            while (q.next())
                out.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toLongLong()});
            return out;
        };
        QTRY_COMPARE(rows().size(), 2);
        const QList<Row> all = rows();
        QCOMPARE(all[0].upstream, QStringLiteral("a"));
        QVERIFY(all[0].prompt > 0 && all[0].completion > 0);
        // $1 and $2 per million tokens: one micro-dollar a token, two for output.
        QCOMPARE(all[0].cost, all[0].prompt * 1 + all[0].completion * 2);
        QCOMPARE(all[1].upstream, QStringLiteral("b"));
        QCOMPARE(all[1].cost, all[1].prompt * 100 + all[1].completion * 200);
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("reload"));
    }
};

QTEST_GUILESS_MAIN(tst_ConfigReload)
#include "tst_ConfigReload.moc"
