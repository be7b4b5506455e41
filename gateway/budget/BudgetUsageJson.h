#pragma once

#include "BudgetUsage.h"

#include <QJsonArray>
#include <QJsonObject>

// The shape GET /admin/v1/budgets returns: each rule as in the config file, plus display_name,
// window_start and resets_at (ISO 8601 with the local offset; null when the window never ends)
// and usage[], one entry per subject counter of the current window:
// {"subject", "spent", "reserved", "in_flight", "fraction"}, each amount as
// {"tokens", "cost", "cost_micros", "requests"}. BudgetRule::listFromJson() ignores the added
// keys, so the same array can be edited and PUT back.
class BudgetUsageJson
{
public:
    static QJsonArray toJson(const QList<BudgetUsage> &usage);
    static QJsonObject toJson(const BudgetUsage &usage);
    static QJsonObject amountsToJson(const BudgetAmounts &amounts);
    // ISO 8601 local time with its offset, e.g. "2026-03-29T00:00:00+01:00".
    static QString localIso(qint64 ms);
};
