#include "GatewayUnderTest.h"

#include "config/GatewayConfig.h"
#include "core/GatewayHost.h"

#include <QSignalSpy>

GatewayHost *GatewayUnderTest::create(const QJsonObject &json, const QString &dataDir, QObject *parent, QString *error)
{
    std::optional<GatewayConfig> config = GatewayConfig::fromJson(json, error);
    if (!config)
        return nullptr;
    config->listenPort = 0;
    config->dataDir = dataDir;
    return new GatewayHost(*config, parent);
}

quint16 GatewayUnderTest::start(GatewayHost *host)
{
    QSignalSpy started(host, &GatewayHost::started);
    host->start();
    if (!started.wait(5000))
        return 0;
    return quint16(started.at(0).at(0).toString().section(QLatin1Char(':'), -1).toUInt());
}
