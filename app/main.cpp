// tokenfuse: the entry point. Links the gateway library only, so `tokenfuse --headless` runs with no
// GUI library loaded at all; the console is a second executable, tokenfuse-console, started in
// this one's place when a display is there to show it.
#include "CommandLine.h"
#include "ProcessLimits.h"
#include "Runners.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <unistd.h>

namespace {
bool displayAvailable()
{
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty())
        return true; // the user chose a platform (offscreen, vnc, ...): let the console try it
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}
} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    Invocation invocation = parseCommandLine(arguments);
    switch (invocation.mode) {
    case Invocation::Mode::Help:
        std::fputs(qPrintable(invocation.helpText), stdout);
        return 0;
    case Invocation::Mode::Version:
        std::printf("tokenfuse %s\n", TOKENFUSE_VERSION);
        return 0;
    case Invocation::Mode::Error:
        std::fprintf(stderr, "tokenfuse: %s\n", qPrintable(invocation.error));
        return 2;
    default:
        break;
    }

    if (invocation.mode == Invocation::Mode::Gateway && !invocation.headless) {
        const QString console = QFileInfo(QString::fromLocal8Bit(argv[0])).absolutePath() + QStringLiteral("/tokenfuse-console");
        if (!displayAvailable()) {
            std::fprintf(stderr, "tokenfuse: no display found (DISPLAY and WAYLAND_DISPLAY are unset): running headless; "
                                 "the gateway works as usual, open the console from a desktop session\n");
        } else if (!QFileInfo(console).isExecutable()) {
            std::fprintf(stderr, "tokenfuse: console not installed (%s missing): running headless\n", qPrintable(console));
        } else {
            ::execv(QFile::encodeName(console).constData(), argv);
            std::fprintf(stderr, "tokenfuse: could not start the console (%s): running headless\n", qPrintable(console));
        }
    }

    const qint64 files = raiseOpenFileLimit();
    if (files > 0)
        invocation.config.limits.maxConnections = int(qMin<qint64>(invocation.config.limits.maxConnections, (files - 64) / 2));
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tokenfuse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOKENFUSE_VERSION));
    resolveUpstreamSecrets(invocation.config);
    if (invocation.mode == Invocation::Mode::Simulate)
        return runSimulatorServer(invocation);
    return runGatewayHeadless(invocation);
}
