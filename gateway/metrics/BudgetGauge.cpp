#include "BudgetGauge.h"

#include "LabelBound.h"
#include "budget/BudgetUsage.h"

#include <QSet>

#include <algorithm>

namespace {
std::optional<qint64> left(const BudgetRule &rule, const BudgetCounterUsage &c, const QString &dimension)
{
    const std::optional<qint64> cap = rule.capOf(dimension);
    if (!cap)
        return std::nullopt;
    return qMax<qint64>(0, *cap - c.spent.of(dimension) - c.reserved.of(dimension));
}
} // namespace

QList<BudgetGauge> BudgetGauge::fromUsage(const QList<BudgetUsage> &usage, int max, bool includeSessions)
{
    QList<BudgetGauge> all;
    QSet<std::pair<QString, QString>> seen;
    for (const BudgetUsage &u : usage) {
        if (u.rule.window == BudgetWindow::Request || (u.rule.scope == BudgetScope::Session && !includeSessions))
            continue;
        const QString rule = u.rule.displayName().left(LabelBound::MaxValueLength);
        for (const BudgetCounterUsage &c : u.counters) {
            const QString subject = c.subject.left(LabelBound::MaxValueLength);
            if (seen.contains({rule, subject}))
                continue;
            seen.insert({rule, subject});
            all.append({rule, subject, u.rule.currency, left(u.rule, c, QStringLiteral("tokens")),
                        left(u.rule, c, QStringLiteral("cost")), left(u.rule, c, QStringLiteral("requests")), c.fraction});
        }
    }
    // Fullest first; ties in a stable order so a scrape does not shuffle which ones are left out.
    std::stable_sort(all.begin(), all.end(), [](const BudgetGauge &a, const BudgetGauge &b) {
        if (a.usedRatio != b.usedRatio)
            return a.usedRatio > b.usedRatio;
        return a.rule != b.rule ? a.rule < b.rule : a.subject < b.subject;
    });
    if (all.size() > max)
        all.resize(max);
    return all;
}
