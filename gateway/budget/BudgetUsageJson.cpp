#include "BudgetUsageJson.h"

#include <QDateTime>

QJsonArray BudgetUsageJson::toJson(const QList<BudgetUsage> &usage)
{
    QJsonArray array;
    for (const BudgetUsage &u : usage)
        array.append(toJson(u));
    return array;
}

QJsonObject BudgetUsageJson::toJson(const BudgetUsage &u)
{
    QJsonObject o = u.rule.toJson();
    o.insert(QLatin1String("display_name"), u.rule.displayName());
    const bool windowed = u.rule.window != BudgetWindow::Request && u.rule.window != BudgetWindow::Total;
    o.insert(QLatin1String("window_start"), windowed ? QJsonValue(localIso(u.windowStart)) : QJsonValue());
    o.insert(QLatin1String("resets_at"), windowed ? QJsonValue(localIso(u.windowEnd)) : QJsonValue());
    QJsonArray counters;
    for (const BudgetCounterUsage &c : u.counters) {
        counters.append(QJsonObject{{QLatin1String("subject"), c.subject},
                                    {QLatin1String("spent"), amountsToJson(c.spent)},
                                    {QLatin1String("reserved"), amountsToJson(c.reserved)},
                                    {QLatin1String("in_flight"), amountsToJson(c.inFlight)},
                                    {QLatin1String("fraction"), c.fraction}});
    }
    o.insert(QLatin1String("usage"), counters);
    return o;
}

QJsonObject BudgetUsageJson::amountsToJson(const BudgetAmounts &a)
{
    return {{QLatin1String("tokens"), a.tokens},
            {QLatin1String("cost"), double(a.costMicros) / 1e6},
            {QLatin1String("cost_micros"), a.costMicros},
            {QLatin1String("requests"), a.requests}};
}

QString BudgetUsageJson::localIso(qint64 ms)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return local.toOffsetFromUtc(local.offsetFromUtc()).toString(Qt::ISODate);
}
