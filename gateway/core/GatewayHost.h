#pragma once

#include "GatewaySnapshot.h"
#include "config/GatewayConfig.h"

#include <QObject>
#include <QThread>

class Gateway;

// Runs a Gateway on a thread of its own, so neither the console nor a slow disk can stall a
// stream. The Gateway and everything it owns are created on that thread after it starts and
// destroyed there before it ends; the outside world hears from it only by queued signals.
class GatewayHost : public QObject
{
    Q_OBJECT
public:
    explicit GatewayHost(const GatewayConfig &config, QObject *parent = nullptr);
    ~GatewayHost() override;

    // Returns at once; started() or failed() follows.
    void start();
    // Blocks until the gateway is destroyed and its thread has ended.
    void stop();
    bool isRunning() const { return m_thread.isRunning(); }
    // The gateway itself, for tests that run in the same process: touch only from its thread.
    Gateway *gatewayForTests() const { return m_gateway; }

Q_SIGNALS:
    void started(const QString &listenAddress, const QString &databasePath, quint16 simulatorPort);
    void failed(const QString &error);
    void snapshotReady(const GatewaySnapshot &snapshot);
    void logLine(const QString &line);
    void budgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);

private:
    GatewayConfig m_config;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: the target for work queued to it
    Gateway *m_gateway = nullptr;
};
