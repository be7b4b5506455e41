#pragma once

#include "GatewayClient.h"

#include <QJsonObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class GatewayHost;

// The usual test setup in one object: a real gateway on its own thread, with its store in a
// temporary data dir and the simulator answering (unless the config names an upstream), and an
// HTTP client for it. Stopped when it goes.
class RunningGateway
{
public:
    RunningGateway() = default;
    ~RunningGateway();
    RunningGateway(const RunningGateway &) = delete;
    RunningGateway &operator=(const RunningGateway &) = delete;

    // False (see error()) when the config is refused or the gateway did not start.
    bool start(const QJsonObject &config);
    // In two steps, for a test that wires itself to host() before the gateway's first snapshot:
    // create() makes the gateway without starting it; start() starts it (creating it first with
    // the default config when create() was not called).
    bool create(const QJsonObject &config = {});
    // From a config file, watched (and written by the admin API) as the app's is.
    bool createFromFile(const QString &path);
    bool start();
    void stop();

    QString error() const { return m_error; }
    GatewayHost *host() const { return m_host.get(); }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir.path(); }
    GatewayClient &client() { return *m_client; }

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<GatewayHost> m_host;
    std::unique_ptr<GatewayClient> m_client;
    quint16 m_port = 0;
    QString m_error;
};
