#pragma once

#include "budget/BudgetRule.h"

#include <QDialog>
#include <QJsonArray>
#include <QList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Adds or edits one budget rule. Every change of a field is checked with BudgetRule::listFromJson
// on the whole list the page would send, the code the admin API runs, so the message under the
// fields is the one the API would answer; OK stays disabled while there is one. OK does not close
// the dialog: it emits submitted() with the whole list, and the page closes it once the gateway
// has taken it (accept()) or shows the gateway's refusal with showRefusal().
class BudgetRuleDialog : public QDialog
{
    Q_OBJECT
public:
    // `rules` the list in force; `position` the rule edited, or rules.size() to add one.
    BudgetRuleDialog(const QList<BudgetRule> &rules, qsizetype position, QWidget *parent = nullptr);

    // Fills the fields from a rule (a new rule's defaults, or a prefill such as a session's cap).
    void setRule(const BudgetRule &rule);
    // The rule's fields as the JSON object the admin API takes; numbers left as typed when they
    // are not numbers, so the API's own message names them.
    QJsonObject ruleJson() const;
    // The whole list with this rule in place.
    QJsonArray listJson() const;
    QString error() const;

    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QJsonArray &rules);

private:
    void validate();
    void scopeChanged();

    QList<BudgetRule> m_rules;
    qsizetype m_position;
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
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
