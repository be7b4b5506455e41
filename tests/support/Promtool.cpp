#include "Promtool.h"

#include <QProcess>
#include <QStandardPaths>

Promtool::Result Promtool::checkMetrics(const QByteArray &text)
{
    Result r;
    const QString program = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (program.isEmpty()) {
        r.output = "promtool not found on PATH: install Debian's prometheus package "
                   "(sudo apt-get install prometheus, or bash installer/debian-deps.sh)";
        return r;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!p.waitForStarted(10000)) {
        r.output = "promtool did not start: " + p.errorString().toUtf8();
        return r;
    }
    p.write(text);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        r.output = "promtool did not finish within 30 s";
        return r;
    }
    r.ran = p.exitStatus() == QProcess::NormalExit;
    r.exitCode = p.exitCode();
    r.output = p.readAll();
    return r;
}
