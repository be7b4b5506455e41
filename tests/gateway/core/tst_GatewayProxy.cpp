// The gateway's upstreams through a real HTTP proxy (tinyproxy) as the config's "proxy" key says,
// and a reload that takes the proxy away: requests go through it, then direct.
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "TinyproxyProcess.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

namespace {
QByteArray chat(int i)
{
    return QJsonDocument(QJsonObject{{"model", "m-1"},
                                     {"max_tokens", 8},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", QStringLiteral("proxy question %1").arg(i * 7919)}}}}})
        .toJson(QJsonDocument::Compact);
}

void save(const QString &path, const QJsonObject &config)
{
    QSaveFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(config).toJson());
    QVERIFY(f.commit());
}

int proxied(TinyproxyProcess &proxy)
{
    int n = 0;
    for (const QByteArray &line : proxy.requestLines())
        n += line.startsWith("POST http://localhost:");
    return n;
}
} // namespace

class tst_GatewayProxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void upstreamsGoThroughTheConfiguredProxyUntilAReloadTakesItAway()
    {
        if (!TinyproxyProcess::isAvailable())
            QFAIL("tinyproxy is not installed (installer/debian-deps.sh installs it)");
        TinyproxyProcess proxy;
        QString why;
        QVERIFY2(proxy.start({}, &why), qPrintable(why));
        SimulatorThread sim;
        sim.run([](SimulatorServer *s) {
            SimulatorProfile p = s->profile();
            p.ttftMs = 0;
            p.tokensPerSecond = 0;
            s->setProfile(p);
        });
        // "localhost", and "<-loopback>": loopback is not bypassed, so the proxy is used.
        const QJsonObject up{{"name", "sim"}, {"base_url", QStringLiteral("http://localhost:%1/v1").arg(sim.port())}};
        QTemporaryDir dir;
        const QString path = dir.filePath("config.json");
        save(path, QJsonObject{{"upstreams", QJsonArray{up}}, {"proxy", QJsonObject{{"http", proxy.url()}, {"no_proxy", QJsonArray{"<-loopback>"}}}}});
        RunningGateway gw;
        QVERIFY2(gw.createFromFile(path), qPrintable(gw.error()));
        QSignalSpy reloaded(gw.host(), &GatewayHost::configReloaded);
        QVERIFY2(gw.start(), qPrintable(gw.error()));

        QCOMPARE(gw.client().call("/v1/chat/completions", chat(1)).status, 200);
        QTRY_COMPARE(proxied(proxy), 1);
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(2)).status, 200);
        QTRY_COMPARE(proxied(proxy), 2);

        // The proxy taken out of the file: the next request goes direct.
        save(path, QJsonObject{{"upstreams", QJsonArray{up}}, {"proxy", QJsonObject{{"http", ""}, {"https", ""}}}});
        QTRY_COMPARE(reloaded.size(), 1);
        QVERIFY2(reloaded.at(0).at(0).toBool(), qPrintable(reloaded.at(0).at(1).toString()));
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(3)).status, 200);
        QCOMPARE(sim.read(&SimulatorServer::requestsServed), quint64(3));
        QCOMPARE(proxied(proxy), 2);

        // A CA bundle that does not exist: the reload is refused naming the key, the proxyless config stays.
        save(path, QJsonObject{{"upstreams", QJsonArray{up}}, {"tls", QJsonObject{{"ca_bundle", dir.filePath("missing.pem")}}}});
        QTRY_COMPARE(reloaded.size(), 2);
        QCOMPARE(reloaded.at(1).at(0).toBool(), false);
        QVERIFY2(reloaded.at(1).at(1).toString().contains(QLatin1String("tls.ca_bundle")), qPrintable(reloaded.at(1).at(1).toString()));
        QCOMPARE(gw.client().call("/v1/chat/completions", chat(4)).status, 200);
    }
};

QTEST_GUILESS_MAIN(tst_GatewayProxy)
#include "tst_GatewayProxy.moc"
