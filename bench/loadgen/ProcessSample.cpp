#include "ProcessSample.h"

#include "BenchClock.h"

#include <QFile>
#include <QList>

#include <unistd.h>

ProcessSample ProcessSample::of(qint64 pid)
{
    ProcessSample s;
    s.atNs = benchNowNs();
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            const QList<QByteArray> cols = line.simplified().split(' ');
            if (cols.size() < 2)
                continue;
            if (cols[0] == "VmRSS:")
                s.rssKb = cols[1].toLongLong();
            else if (cols[0] == "VmHWM:")
                s.hwmKb = cols[1].toLongLong();
        }
    }
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
        const QList<QByteArray> rest = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (rest.size() > 12)
            s.cpuTicks = rest[11].toLongLong() + rest[12].toLongLong(); // fields 14 and 15
    }
    return s;
}

double ProcessSample::cpuPercent(const ProcessSample &from, const ProcessSample &to)
{
    if (from.cpuTicks < 0 || to.cpuTicks < 0 || to.atNs <= from.atNs)
        return -1;
    const double seconds = double(to.atNs - from.atNs) / 1e9;
    return 100.0 * double(to.cpuTicks - from.cpuTicks) / double(::sysconf(_SC_CLK_TCK)) / seconds;
}
