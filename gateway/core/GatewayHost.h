#pragma once

#include "GatewaySnapshot.h"
#include "admin/AdminCall.h"
#include "config/GatewayConfig.h"
#include "session/SessionCommand.h"

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

public Q_SLOTS:
    // A kill switch from the console: queued to the gateway thread, answered by commandDone().
    void command(const SessionCommand &command);
    // An admin API call from the console (budgets, keys, rate limits, sessions, usage): queued to
    // the gateway thread, run by the admin API's own handlers, answered by adminAnswered() with
    // the same ticket.
    void adminCall(quint64 ticket, const AdminCall &call);

Q_SIGNALS:
    void started(const QString &listenAddress, const QString &databasePath, quint16 simulatorPort);
    void failed(const QString &error);
    void snapshotReady(const GatewaySnapshot &snapshot);
    void logLine(const QString &line);
    void budgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);
    void commandDone(const SessionCommand &command, const SessionCommandResult &result);
    void adminAnswered(quint64 ticket, const AdminAnswer &answer);
    // The loop detector tripped sessions (or, in warn mode, only raised the alert).
    void sessionTripped(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly);
    // An upstream's circuit breaker changed state (opened, probing, closed).
    void upstreamBreakerChanged(const UpstreamTransitionView &transition);
    // The watched config file changed: applied (`ok`) or rejected, the running config kept.
    void configReloaded(bool ok, const QString &message);

private:
    GatewayConfig m_config;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: the target for work queued to it
    Gateway *m_gateway = nullptr;
};
