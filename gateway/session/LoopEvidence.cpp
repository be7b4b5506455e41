#include "LoopEvidence.h"

QString LoopEvidence::seconds(qint64 ms)
{
    ms = qMax<qint64>(ms, 0);
    return ms < 10000 ? QString::number(double(ms) / 1000.0, 'f', 1) : QString::number((ms + 500) / 1000);
}

QString LoopEvidence::period(int seconds)
{
    if (seconds > 0 && seconds % 60 == 0)
        return seconds == 60 ? QStringLiteral("minute") : QStringLiteral("%1 minutes").arg(seconds / 60);
    return QStringLiteral("%1 s").arg(seconds);
}
