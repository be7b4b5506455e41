#include "BudgetRuleSet.h"

#include "core/Glob.h"
#include "TextHash.h"

void BudgetRuleSet::set(const QList<BudgetRule> &rules)
{
    m_entries.clear();
    m_groups.clear();
    QHash<QString, int> groupOf;
    for (const BudgetRule &rule : rules) {
        // The alert identity covers everything that changes what an alert means; an unchanged
        // rule keeps its id across reloads and does not alert again.
        const QString identity = rule.counterRule() + u'|' + rule.displayName() + u'|'
                                 + QString::number(rule.maxTokens.value_or(-1)) + u'|'
                                 + QString::number(rule.maxCostMicros.value_or(-1)) + u'|'
                                 + QString::number(rule.maxRequests.value_or(-1)) + u'|'
                                 + QString::number(rule.alertAt, 'g', 17);
        auto id = m_alertIds.constFind(identity);
        if (id == m_alertIds.constEnd())
            id = m_alertIds.insert(identity, quint32(m_alertIds.size() + 1));
        Entry entry{rule, *id};
        // alert_at as parts per million (0.8 -> 800000), so 70 % of 10 is 7, not 7.000000000000001.
        const qint64 alertPpm = qRound64(rule.alertAt * 1e6);
        const std::array<std::optional<qint64>, 3> caps = {rule.maxTokens, rule.maxCostMicros, rule.maxRequests};
        for (size_t d = 0; d < 3; ++d) {
            if (caps[d]) {
                entry.cap[d] = *caps[d];
                entry.alertThreshold[d] = qint64((__int128(*caps[d]) * alertPpm + 999'999) / 1'000'000);
            }
        }
        m_entries.append(entry);

        const QString counterRule = rule.counterRule();
        auto group = groupOf.constFind(counterRule);
        if (group == groupOf.constEnd()) {
            group = groupOf.insert(counterRule, int(m_groups.size()));
            m_groups.append({counterRule, TextHash()(counterRule), rule.scope, rule.match, rule.window, {}});
        }
        m_groups[*group].rules.append(int(m_entries.size() - 1));
    }
    ++m_version;
}

QList<BudgetRule> BudgetRuleSet::rules() const
{
    QList<BudgetRule> list;
    list.reserve(m_entries.size());
    for (const Entry &entry : m_entries)
        list.append(entry.rule);
    return list;
}

const QString &BudgetRuleSet::fieldOf(BudgetScope scope, const BudgetSubject &subject)
{
    static const QString none;
    switch (scope) {
    case BudgetScope::Global: return none;
    case BudgetScope::Tenant: return subject.tenant;
    case BudgetScope::Session: return subject.session;
    case BudgetScope::Model: return subject.model;
    }
    return none;
}

bool BudgetRuleSet::applies(const Group &group, const BudgetSubject &subject)
{
    return group.scope == BudgetScope::Global || Glob::matches(group.match, fieldOf(group.scope, subject));
}
