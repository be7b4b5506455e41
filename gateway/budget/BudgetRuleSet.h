#pragma once

#include "BudgetRule.h"
#include "BudgetSubject.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QVarLengthArray>

#include <array>

// The budget rules in force, compiled for the ledger's hot path: rules sharing a counter
// identity grouped (matched and looked up once per request), caps and alert thresholds as plain
// integers, and alert ids that stay the same across reloads for unchanged rules.
class BudgetRuleSet
{
public:
    struct Entry
    {
        BudgetRule rule;
        quint32 alertId = 0;
        // Per dimension (tokens, cost, requests); -1 where the rule sets no cap.
        std::array<qint64, 3> cap = {-1, -1, -1};
        std::array<qint64, 3> alertThreshold = {-1, -1, -1};
    };
    struct Group
    {
        QString counterRule;
        size_t counterRuleHash = 0;  // TextHash of counterRule
        BudgetScope scope = BudgetScope::Global;
        QString match;
        BudgetWindow window = BudgetWindow::Total;
        QVarLengthArray<int, 2> rules;  // indexes into entries()
    };

    // Replaces the rules and bumps version().
    void set(const QList<BudgetRule> &rules);
    quint64 version() const { return m_version; }
    QList<BudgetRule> rules() const;
    const Entry &entry(int index) const { return m_entries.at(index); }
    const QList<Group> &groups() const { return m_groups; }
    const QList<Entry> &entries() const { return m_entries; }

    // The subject field a scope looks at; empty for global.
    static const QString &fieldOf(BudgetScope scope, const BudgetSubject &subject);
    static bool applies(const Group &group, const BudgetSubject &subject);

private:
    QList<Entry> m_entries;
    QList<Group> m_groups;
    quint64 m_version = 0;
    QHash<QString, quint32> m_alertIds;  // alert identity -> id; kept across set()
};
