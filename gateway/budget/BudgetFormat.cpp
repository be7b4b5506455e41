#include "BudgetFormat.h"

#include <QDateTime>
#include <QLocale>

QString BudgetFormat::decimal(qint64 micros)
{
    const bool negative = micros < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(micros) : quint64(micros);
    QString fraction = QString::number(magnitude % 1'000'000).rightJustified(6, u'0');
    while (fraction.size() > 2 && fraction.endsWith(u'0'))
        fraction.chop(1);
    return (negative ? QStringLiteral("-") : QString()) + QString::number(magnitude / 1'000'000) + u'.' + fraction;
}

QString BudgetFormat::money(qint64 micros, const QString &currency)
{
    if (currency == QLatin1String("USD"))
        return (micros < 0 ? QStringLiteral("-$") : QStringLiteral("$")) + decimal(micros < 0 ? -micros : micros);
    return decimal(micros) + u' ' + currency;
}

QString BudgetFormat::count(qint64 value)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(value);
}

QString BudgetFormat::amount(const QString &dimension, qint64 value, const QString &currency)
{
    if (dimension == QLatin1String("cost"))
        return money(value, currency);
    if (dimension == QLatin1String("tokens"))
        return count(value) + (value == 1 ? QStringLiteral(" token") : QStringLiteral(" tokens"));
    return count(value) + (value == 1 ? QStringLiteral(" request") : QStringLiteral(" requests"));
}

QString BudgetFormat::duration(qint64 ms)
{
    qint64 seconds = ms <= 0 ? 0 : (ms + 999) / 1000;
    const qint64 days = seconds / 86400;
    const qint64 hours = seconds % 86400 / 3600;
    const qint64 minutes = seconds % 3600 / 60;
    seconds %= 60;
    if (days > 0)
        return hours > 0 ? QStringLiteral("%1 d %2 h").arg(days).arg(hours) : QStringLiteral("%1 d").arg(days);
    if (hours > 0)
        return minutes > 0 ? QStringLiteral("%1 h %2 min").arg(hours).arg(minutes) : QStringLiteral("%1 h").arg(hours);
    if (minutes > 0)
        return seconds > 0 ? QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds) : QStringLiteral("%1 min").arg(minutes);
    return QStringLiteral("%1 s").arg(seconds);
}

QString BudgetFormat::resetTime(qint64 resetMs, qint64 nowMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(resetMs);
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    const QString when = resetMs - nowMs < 86'400'000 ? at.toString(QStringLiteral("HH:mm"))
                                                      : english.toString(at, QStringLiteral("d MMM HH:mm"));
    return QStringLiteral("%1 (in %2)").arg(when, duration(resetMs - nowMs));
}

QString BudgetFormat::subject(BudgetScope scope, const QString &subject)
{
    if (scope == BudgetScope::Global)
        return QStringLiteral("all traffic");
    return QStringLiteral("%1 '%2'").arg(BudgetRule::scopeName(scope), subject);
}

QString BudgetFormat::ruleTitle(const BudgetRule &rule, const QString &subjectName)
{
    // An unnamed rule reads best with the subject in place of its glob: "tenant acme per day".
    if (rule.name.isEmpty()) {
        if (rule.scope == BudgetScope::Global)
            return QStringLiteral("Budget '%1'").arg(rule.displayName());
        return QStringLiteral("Budget '%1 %2 %3'")
            .arg(BudgetRule::scopeName(rule.scope), subjectName, BudgetRule::windowPhrase(rule.window));
    }
    return QStringLiteral("Budget '%1' (%2, %3)")
        .arg(rule.displayName(), subject(rule.scope, subjectName), BudgetRule::windowPhrase(rule.window));
}
