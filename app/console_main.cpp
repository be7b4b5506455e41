// tokenfuse-console: the console window with the gateway on its own thread. Started by tokenfuse
// when a display is available; it takes the same command line.
#include "CommandLine.h"
#include "ConsoleApplication.h"
#include "ConsoleWiring.h"
#include "EventLoopStallProbe.h"
#include "ProcessLimits.h"
#include "Runners.h"
#include "SignalWatcher.h"
#include "core/GatewayHost.h"
#include "ConsolePalette.h"
#include "MainWindow.h"
#include "tray/ConsoleTray.h"

#include <cstdio>
#include <memory>

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    Invocation invocation = parseCommandLine(arguments);
    if (invocation.mode == Invocation::Mode::Help) {
        std::fputs(qPrintable(invocation.helpText), stdout);
        return 0;
    }
    if (invocation.mode == Invocation::Mode::Version) {
        std::printf("tokenfuse %s\n", TOKENFUSE_VERSION);
        return 0;
    }
    if (invocation.mode == Invocation::Mode::Error) {
        std::fprintf(stderr, "tokenfuse: %s\n", qPrintable(invocation.error));
        return 2;
    }
    const qint64 files = raiseOpenFileLimit();
    if (files > 0)
        invocation.config.limits.maxConnections = int(qMin<qint64>(invocation.config.limits.maxConnections, (files - 64) / 2));

    ConsoleApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tokenfuse"));
    QApplication::setApplicationDisplayName(QStringLiteral("TokenFuse"));
    QApplication::setApplicationVersion(QStringLiteral(TOKENFUSE_VERSION));
    resolveUpstreamSecrets(invocation.config);
    // Fusion's palette is light only: the console follows a desktop that asks for dark itself.
    const QPalette platformPalette = QApplication::palette();
    QApplication::setStyle(QStringLiteral("Fusion"));
    if (ConsolePalette::systemPrefersDark(platformPalette))
        QApplication::setPalette(ConsolePalette::darkPalette());

    MainWindow window;
    // With a tray, closing the window leaves the gateway serving; Quit is in the tray's menu.
    if (window.tray()->isAvailable()) {
        window.setKeepRunningInTray(true);
        QApplication::setQuitOnLastWindowClosed(false);
    }
    QObject::connect(&window, &MainWindow::quitRequested, &app, [] { QApplication::quit(); });
    // Which page the window opens on (bench/console measures the costly ones); Overview otherwise.
    if (const auto page = MainWindow::pageFromKey(qEnvironmentVariable("TOKENFUSE_CONSOLE_PAGE")))
        window.showPage(*page);
    GatewayHost host(invocation.config);
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::stopRequested, &app, [](int) { QApplication::quit(); });
    ConsoleWiring::connect(host, window);
    QObject::connect(&host, &GatewayHost::logLine, &app, [](const QString &line) { logLine("gateway", line); });
    QObject::connect(&host, &GatewayHost::started, &app, [](const QString &address, const QString &db, quint16) {
        std::printf("TokenFuse %s gateway listening on http://%s/v1\nusage database: %s\n", TOKENFUSE_VERSION,
                    qPrintable(address), qPrintable(db));
        std::fflush(stdout);
    });
    QObject::connect(&host, &GatewayHost::failed, &window, [&window](const QString &error) {
        logLine("tokenfuse", QStringLiteral("error: ") + error);
        GatewaySnapshot failed;
        failed.state = GatewaySnapshot::State::Failed;
        failed.error = error;
        window.applySnapshot(failed);
    });
    GatewaySnapshot starting;
    starting.state = GatewaySnapshot::State::Starting;
    starting.listenAddress = QStringLiteral("%1:%2").arg(invocation.config.listenHost).arg(invocation.config.listenPort);
    window.applySnapshot(starting);
    // For bench/console: how long the GUI thread's event loop ever went without running.
    std::unique_ptr<EventLoopStallProbe> probe;
    if (const QString path = qEnvironmentVariable("TOKENFUSE_STALL_PROBE"); !path.isEmpty())
        probe = std::make_unique<EventLoopStallProbe>(path);
    app.setStallProbe(probe.get());
    window.show();
    host.start();
    const int rc = QApplication::exec();
    app.setStallProbe(nullptr);
    probe.reset();
    host.stop();
    return rc;
}
