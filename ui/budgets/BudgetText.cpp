#include "BudgetText.h"

#include "ConsoleFormat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QStringList>

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("BudgetText", text);
}
} // namespace

QString BudgetText::appliesTo(const BudgetRule &rule)
{
    if (rule.scope == BudgetScope::Global)
        return tr("every request");
    return QStringLiteral("%1 %2").arg(BudgetRule::scopeName(rule.scope), rule.match);
}

QString BudgetText::caps(const BudgetRule &rule)
{
    QStringList parts;
    if (rule.maxTokens)
        parts << tr("%1 tok").arg(ConsoleFormat::tokens(*rule.maxTokens));
    if (rule.maxCostMicros)
        parts << ConsoleFormat::money(*rule.maxCostMicros, rule.currency);
    if (rule.maxRequests)
        parts << tr("%1 req").arg(ConsoleFormat::count(*rule.maxRequests));
    return parts.join(QStringLiteral(" · "));
}

QString BudgetText::usage(const BudgetRule &rule, const BudgetCounterUsage &counter)
{
    QStringList parts;
    const BudgetAmounts &s = counter.spent;
    const BudgetAmounts &f = counter.inFlight;
    if (rule.maxTokens)
        parts << tr("%1 / %2 tok").arg(ConsoleFormat::tokens(s.tokens + f.tokens), ConsoleFormat::tokens(*rule.maxTokens));
    if (rule.maxCostMicros)
        parts << QStringLiteral("%1 / %2").arg(ConsoleFormat::money(s.costMicros + f.costMicros, rule.currency),
                                               ConsoleFormat::money(*rule.maxCostMicros, rule.currency));
    if (rule.maxRequests)
        parts << tr("%1 / %2 req").arg(ConsoleFormat::count(s.requests + f.requests), ConsoleFormat::count(*rule.maxRequests));
    return parts.join(QStringLiteral(" · "));
}

QString BudgetText::remaining(qint64 ms)
{
    const qint64 minutes = qMax<qint64>(1, (ms + 59'999) / 60'000);
    if (minutes < 60)
        return tr("in %1 min").arg(minutes);
    if (minutes < 48 * 60)
        return minutes % 60 ? tr("in %1 h %2 min").arg(minutes / 60).arg(minutes % 60) : tr("in %1 h").arg(minutes / 60);
    const qint64 hours = minutes / 60;
    return hours % 24 ? tr("in %1 d %2 h").arg(hours / 24).arg(hours % 24) : tr("in %1 d").arg(hours / 24);
}

QString BudgetText::resets(qint64 windowEndMs, BudgetWindow window, qint64 nowMs)
{
    if (window == BudgetWindow::Request)
        return tr("per request");
    if (windowEndMs <= 0)
        return tr("never");
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(windowEndMs);
    // Within a day the clock time says it; further off the date does.
    const QString when = windowEndMs - nowMs < 24 * 3600 * 1000 ? end.toString(QStringLiteral("HH:mm"))
                                                                 : end.toString(QStringLiteral("d MMM"));
    return tr("%1, %2").arg(when, remaining(windowEndMs - nowMs));
}
