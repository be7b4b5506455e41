#pragma once

#include "budget/BudgetRule.h"

#include "RuleListDialog.h"

#include <QList>

class QComboBox;
class QLineEdit;

// Adds or edits one budget rule, checked as the admin API checks it (BudgetRule::listFromJson);
// see RuleListDialog.
class BudgetRuleDialog : public RuleListDialog
{
    Q_OBJECT
public:
    // `rules` the list in force; `position` the rule edited, or rules.size() to add one.
    BudgetRuleDialog(const QList<BudgetRule> &rules, qsizetype position, QWidget *parent = nullptr);

    // Fills the fields from a rule (a new rule's defaults, or a prefill such as a session's cap).
    void setRule(const BudgetRule &rule);
    QJsonObject ruleJson() const override;

protected:
    bool accepts(const QJsonArray &list, QString *message) const override;

private:
    void scopeChanged();

    QLineEdit *m_name;
    QComboBox *m_scope;
    QLineEdit *m_match;
    QComboBox *m_window;
    QLineEdit *m_maxTokens;
    QLineEdit *m_maxCost;
    QLineEdit *m_maxRequests;
    QLineEdit *m_currency;
    QComboBox *m_overCap;
    QLineEdit *m_alertAt;
    QLineEdit *m_minOutput;
};
