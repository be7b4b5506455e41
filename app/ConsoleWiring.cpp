#include "ConsoleWiring.h"

#include "MainWindow.h"
#include "admin/AdminChannel.h"
#include "core/GatewayHost.h"

void ConsoleWiring::connect(GatewayHost &host, MainWindow &window)
{
    QObject::connect(&host, &GatewayHost::snapshotReady, &window, &MainWindow::applySnapshot);
    QObject::connect(&host, &GatewayHost::budgetAlert, &window, &MainWindow::showBudgetAlert);
    QObject::connect(&host, &GatewayHost::sessionTripped, &window, &MainWindow::showSessionTrip);
    QObject::connect(&host, &GatewayHost::upstreamBreakerChanged, &window, &MainWindow::showUpstreamBreaker);
    QObject::connect(&host, &GatewayHost::commandDone, &window, &MainWindow::showCommandResult);
    // GatewayHost::command queues the work to the gateway thread itself.
    QObject::connect(&window, &MainWindow::commandRequested, &host, &GatewayHost::command);
    connectAdmin(host, *window.adminChannel());
    QObject::connect(&host, &GatewayHost::started, &window, [&window](const QString &address, const QString &databasePath, quint16) {
        window.gatewayStarted(address, databasePath);
    });
}

void ConsoleWiring::connectAdmin(GatewayHost &host, AdminChannel &channel)
{
    QObject::connect(&channel, &AdminChannel::callRequested, &host, &GatewayHost::adminCall);
    QObject::connect(&host, &GatewayHost::adminAnswered, &channel, &AdminChannel::deliver);
}
