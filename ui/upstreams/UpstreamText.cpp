#include "UpstreamText.h"

#include "ConsolePalette.h"
#include "core/Glob.h"

#include <QCoreApplication>

#include <algorithm>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("UpstreamText", text);
}

// Two models lists share a model when either is empty (every model) or a glob of one matches a
// glob of the other taken as a name ("deepseek-*" and "deepseek-chat"; "*" and anything).
bool shareAModel(const QStringList &a, const QStringList &b)
{
    if (a.isEmpty() || b.isEmpty())
        return true;
    for (const QString &x : a)
        for (const QString &y : b)
            if (Glob::matches(x, y) || Glob::matches(y, x))
                return true;
    return false;
}
} // namespace

namespace UpstreamText {

QString breakerLabel(const QString &state)
{
    if (state == QLatin1String("closed"))
        return tr("Closed");
    if (state == QLatin1String("open"))
        return tr("Open");
    if (state == QLatin1String("half_open"))
        return tr("Half-open");
    return state;
}

QColor breakerColour(const QString &state)
{
    if (state == QLatin1String("open"))
        return ConsolePalette::failure();
    if (state == QLatin1String("half_open"))
        return ConsolePalette::pending();
    return ConsolePalette::success();
}

QString testResult(bool ok, int status, qint64 latencyMs, const QString &message)
{
    if (ok && status > 0 && latencyMs >= 0)
        return tr("%1 in %2 ms").arg(status).arg(latencyMs);
    if (!message.isEmpty())
        return status > 0 && !message.startsWith(QString::number(status)) ? tr("%1: %2").arg(status).arg(message) : message;
    return status > 0 ? tr("%1").arg(status) : tr("no answer");
}

QStringList takers(const QList<UpstreamView> &views, const QString &name)
{
    const auto down = std::find_if(views.cbegin(), views.cend(), [&](const UpstreamView &v) { return v.name == name; });
    QStringList names;
    for (const UpstreamView &v : views) {
        if (v.name == name || !v.enabled || v.breaker == QLatin1String("open"))
            continue;
        if (down != views.cend() && (v.dialect != down->dialect || !shareAModel(v.models, down->models)))
            continue;
        names << v.name;
    }
    return names;
}

QString downTitle(const QString &name)
{
    return tr("Upstream %1 is down").arg(name);
}

QString downText(const QString &reason, const QStringList &takers)
{
    QString text = reason.isEmpty() ? tr("Its breaker is open.") : reason + QLatin1Char('.');
    text[0] = text[0].toUpper();
    if (takers.isEmpty())
        return text + QLatin1Char(' ') + tr("No other upstream serves its models.");
    return text + QLatin1Char(' ') + tr("Traffic goes to %1.").arg(takers.join(QStringLiteral(", ")));
}

} // namespace UpstreamText
