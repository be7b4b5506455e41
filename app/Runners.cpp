#include "Runners.h"

#include "CommandLine.h"
#include "ProcessLimits.h"
#include "SignalWatcher.h"
#include "core/GatewayHost.h"
#include "simulator/SimulatorServer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostAddress>

#include <cstdio>

void logLine(const char *what, const QString &line)
{
    std::fprintf(stderr, "%s %s: %s\n", qPrintable(QDateTime::currentDateTime().toString(Qt::ISODateWithMs)), what,
                 qPrintable(line));
    std::fflush(stderr);
}

int runGatewayHeadless(const Invocation &invocation)
{
    GatewayHost host(invocation.config);
    SignalWatcher watcher;
    int exitCode = 0;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, qApp, [](int) {
        logLine("tokenfuse", QStringLiteral("stopping"));
        QCoreApplication::exit(0);
    });
    QObject::connect(&host, &GatewayHost::logLine, qApp, [](const QString &line) { logLine("gateway", line); });
    QObject::connect(&host, &GatewayHost::started, qApp, [](const QString &address, const QString &db, quint16) {
        std::printf("TokenFuse %s gateway listening on http://%s/v1\n", TOKENFUSE_VERSION, qPrintable(address));
        std::printf("usage database: %s\n", qPrintable(db));
        std::fflush(stdout);
    });
    QObject::connect(&host, &GatewayHost::failed, qApp, [&exitCode](const QString &error) {
        logLine("tokenfuse", QStringLiteral("error: ") + error);
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    host.start();
    const int rc = QCoreApplication::exec();
    host.stop();
    return exitCode ? exitCode : rc;
}

int runSimulatorServer(const Invocation &invocation)
{
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, qApp, [](int) { QCoreApplication::exit(0); });
    SimulatorServer simulator;
    simulator.setProfile(invocation.config.simulator);
    QString error;
    const QHostAddress address(invocation.config.listenHost == QLatin1String("localhost") ? QStringLiteral("127.0.0.1")
                                                                                         : invocation.config.listenHost);
    if (!simulator.listen(address, invocation.config.listenPort, &error)) {
        logLine("tokenfuse simulate", QStringLiteral("error: cannot listen on %1:%2: %3")
                                          .arg(invocation.config.listenHost).arg(invocation.config.listenPort).arg(error));
        return 1;
    }
    std::printf("TokenFuse %s simulator listening on http://%s:%d/v1 (OpenAI and Anthropic dialects)\n", TOKENFUSE_VERSION,
                qPrintable(address.toString()), int(simulator.port()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
