#pragma once

#include "budget/RateLimitRule.h"

#include "RuleListDialog.h"

#include <QList>

class QComboBox;
class QLineEdit;

// Adds or edits one rate limit, checked as the admin API checks it (RateLimitRule::listFromJson);
// see RuleListDialog.
class RateLimitDialog : public RuleListDialog
{
    Q_OBJECT
public:
    // `rules` the list in force; `position` the rule edited, or rules.size() to add one.
    RateLimitDialog(const QList<RateLimitRule> &rules, qsizetype position, QWidget *parent = nullptr);

    QJsonObject ruleJson() const override;

protected:
    bool accepts(const QJsonArray &list, QString *message) const override;

private:
    QComboBox *m_scope;
    QLineEdit *m_match;
    QLineEdit *m_rpm;
    QLineEdit *m_tpm;
    QLineEdit *m_concurrency;
};
