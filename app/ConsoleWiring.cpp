#include "ConsoleWiring.h"

#include "MainWindow.h"
#include "core/GatewayHost.h"

void ConsoleWiring::connect(GatewayHost &host, MainWindow &window)
{
    QObject::connect(&host, &GatewayHost::snapshotReady, &window, &MainWindow::applySnapshot);
    QObject::connect(&host, &GatewayHost::budgetAlert, &window, &MainWindow::showBudgetAlert);
    QObject::connect(&host, &GatewayHost::sessionTripped, &window, &MainWindow::showSessionTrip);
    QObject::connect(&host, &GatewayHost::commandDone, &window, &MainWindow::showCommandResult);
    // GatewayHost::command queues the work to the gateway thread itself.
    QObject::connect(&window, &MainWindow::commandRequested, &host, &GatewayHost::command);
}
