#include "BudgetMessages.h"

#include "BudgetFormat.h"

#include <QtMath>

namespace {

// "$4.98 of $5.00 spent", "1,950,000 of 2,000,000 tokens used", "1,000 of 1,000 requests made".
QString progressPhrase(const QString &dimension, qint64 value, qint64 cap, const QString &currency)
{
    if (dimension == QLatin1String("cost"))
        return QStringLiteral("%1 of %2 spent").arg(BudgetFormat::money(value, currency), BudgetFormat::money(cap, currency));
    if (dimension == QLatin1String("tokens"))
        return QStringLiteral("%1 of %2 tokens used").arg(BudgetFormat::count(value), BudgetFormat::count(cap));
    return QStringLiteral("%1 of %2 requests made").arg(BudgetFormat::count(value), BudgetFormat::count(cap));
}

QString waitAdvice(qint64 resetMs, qint64 nowMs)
{
    if (resetMs <= 0)
        return QStringLiteral("Raise the cap; this budget has no time window, so it does not reset on its own.");
    return QStringLiteral("Raise the cap or wait until %1.").arg(BudgetFormat::resetTime(resetMs, nowMs));
}

} // namespace

QString BudgetMessages::refused(const BudgetDenial &d, qint64 nowMs)
{
    const QString &currency = d.rule.currency;
    QString text = BudgetFormat::ruleTitle(d.rule, d.subject) + QStringLiteral(" would be exceeded: ")
                   + progressPhrase(d.dimension, d.spent, d.cap, currency);
    if (d.reserved > 0)
        text += QStringLiteral(", %1 more held by requests in flight").arg(BudgetFormat::amount(d.dimension, d.reserved, currency));
    if (d.dimension == QLatin1String("cost"))
        text += QStringLiteral("; this request may cost up to %1").arg(BudgetFormat::money(d.requested, currency));
    else if (d.dimension == QLatin1String("tokens"))
        text += QStringLiteral("; this request may use up to %1").arg(BudgetFormat::amount(d.dimension, d.requested, currency));
    return text + QStringLiteral(". ") + waitAdvice(d.windowResetMs, nowMs);
}

QString BudgetMessages::refusedPerRequest(const BudgetDenial &d)
{
    const QString title = BudgetFormat::ruleTitle(d.rule, d.subject);
    if (d.dimension == QLatin1String("requests"))
        return title + QStringLiteral(" allows no requests (max_requests is 0). Raise the cap to let requests through.");
    const QString verb = d.dimension == QLatin1String("cost") ? QStringLiteral("costs") : QStringLiteral("uses");
    return QStringLiteral("%1 would be exceeded: the prompt alone %2 %3, more than the cap of %4 per request. "
                          "Shorten the prompt, pick a cheaper model, or raise the cap.")
        .arg(title, verb, BudgetFormat::amount(d.dimension, d.requested, d.rule.currency),
             BudgetFormat::amount(d.dimension, d.cap, d.rule.currency));
}

QString BudgetMessages::spentDown(const BudgetDenial &d, qint64 promptTokens, qint64 floor, qint64 nowMs)
{
    const QString &currency = d.rule.currency;
    const QString title = BudgetFormat::ruleTitle(d.rule, d.subject);
    const QString need = QStringLiteral("its prompt (about %1) and at least %2 output tokens")
                             .arg(BudgetFormat::amount(QStringLiteral("tokens"), promptTokens, currency), BudgetFormat::count(floor));
    if (d.rule.window == BudgetWindow::Request) {
        return QStringLiteral("%1 leaves too little for this request: it allows %2 per request, and this request needs "
                              "%3 for %4. Shorten the prompt, pick a cheaper model, or raise the cap.")
            .arg(title, BudgetFormat::amount(d.dimension, d.cap, currency), BudgetFormat::amount(d.dimension, d.requested, currency), need);
    }
    QString text = title + QStringLiteral(" is spent: ") + progressPhrase(d.dimension, d.spent, d.cap, currency);
    if (d.reserved > 0)
        text += QStringLiteral(", %1 more held by requests in flight").arg(BudgetFormat::amount(d.dimension, d.reserved, currency));
    text += QStringLiteral("; this request needs %1 for %2").arg(BudgetFormat::amount(d.dimension, d.requested, currency), need);
    return text + QStringLiteral(". ") + waitAdvice(d.windowResetMs, nowMs);
}

QString BudgetMessages::cut(const BudgetDenial &d, qint64 nowMs)
{
    return QStringLiteral("%1 ran out during this response: %2. The response was cut off. %3")
        .arg(BudgetFormat::ruleTitle(d.rule, d.subject), progressPhrase(d.dimension, d.spent, d.cap, d.rule.currency),
             waitAdvice(d.windowResetMs, nowMs));
}

QString BudgetMessages::cutPerRequest(const BudgetDenial &d)
{
    return QStringLiteral("%1 was reached during this response: it used %2, more than the cap of %3 per request. "
                          "The response was cut off. Ask for a shorter answer (a lower max_tokens) or raise the cap.")
        .arg(BudgetFormat::ruleTitle(d.rule, d.subject), BudgetFormat::amount(d.dimension, d.requested, d.rule.currency),
             BudgetFormat::amount(d.dimension, d.cap, d.rule.currency));
}

QString BudgetMessages::alert(const BudgetAlert &a, qint64 nowMs)
{
    const QString title = BudgetFormat::ruleTitle(a.rule, a.subject);
    const QString figures = progressPhrase(a.dimension, a.spent, a.cap, a.rule.currency);
    if (a.capReached) {
        const QString until = a.windowResetMs > 0
                                  ? QStringLiteral("until %1").arg(BudgetFormat::resetTime(a.windowResetMs, nowMs))
                                  : QStringLiteral("until the cap is raised");
        return QStringLiteral("%1 has reached its cap: %2. New requests are refused %3.").arg(title, figures, until);
    }
    const QString reset = a.windowResetMs > 0
                              ? QStringLiteral("It resets at %1.").arg(BudgetFormat::resetTime(a.windowResetMs, nowMs))
                              : QStringLiteral("It does not reset on its own.");
    return QStringLiteral("%1 is at %2 % of its cap: %3. %4")
        .arg(title, QString::number(qFloor(a.fraction * 100)), figures, reset);
}
