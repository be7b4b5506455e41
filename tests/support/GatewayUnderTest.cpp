#include "GatewayUnderTest.h"

#include "config/GatewayConfig.h"
#include "core/GatewayHost.h"

#include <QSignalSpy>
#include <QTest>

GatewayHost *GatewayUnderTest::create(const QJsonObject &json, const QString &dataDir, QObject *parent, QString *error)
{
    std::optional<GatewayConfig> config = GatewayConfig::fromJson(json, error);
    if (!config)
        return nullptr;
    config->listenPort = 0;
    config->dataDir = dataDir;
    return new GatewayHost(*config, parent);
}

GatewayHost *GatewayUnderTest::createFromFile(const QString &path, const QString &dataDir, QObject *parent, QString *error)
{
    std::optional<GatewayConfig> config = GatewayConfig::fromFile(path, error);
    if (!config)
        return nullptr;
    config->listenPort = 0;
    config->dataDir = dataDir;
    return new GatewayHost(*config, parent);
}

quint16 GatewayUnderTest::start(GatewayHost *host)
{
    QSignalSpy started(host, &GatewayHost::started);
    QSignalSpy failed(host, &GatewayHost::failed);
    host->start();
    // Generous: two tests run at a time beside agent CLIs, and a start opens and checks the store.
    if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 30000)) {
        qWarning("the gateway did not start within 30 s");
        return 0;
    }
    if (!failed.isEmpty()) {
        qWarning("the gateway did not start: %s", qPrintable(failed.at(0).at(0).toString()));
        return 0;
    }
    return quint16(started.at(0).at(0).toString().section(QLatin1Char(':'), -1).toUInt());
}
