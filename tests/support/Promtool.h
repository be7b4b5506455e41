#pragma once

#include <QByteArray>
#include <QString>

// Prometheus's own checker on exposition text: `promtool check metrics` (Debian package
// `prometheus`, installed by installer/debian-deps.sh), fed on stdin.
namespace Promtool {
struct Result
{
    bool ran = false;      // false: promtool is missing or did not finish; `output` says why
    int exitCode = -1;     // 0: parsed and no lint problem
    QByteArray output;     // stdout and stderr together: every complaint
};
Result checkMetrics(const QByteArray &text);
}
