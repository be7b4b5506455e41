#pragma once

#include "budget/RateLimitRule.h"

#include <QDialog>
#include <QJsonArray>
#include <QList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Adds or edits one rate limit, checked as the admin API checks it (RateLimitRule::listFromJson
// on the whole list the page would send); OK emits submitted() and the page closes the dialog
// once the gateway has taken it, or shows the gateway's refusal with showRefusal().
class RateLimitDialog : public QDialog
{
    Q_OBJECT
public:
    // `rules` the list in force; `position` the rule edited, or rules.size() to add one.
    RateLimitDialog(const QList<RateLimitRule> &rules, qsizetype position, QWidget *parent = nullptr);

    QJsonObject ruleJson() const;
    QJsonArray listJson() const;
    QString error() const;
    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QJsonArray &rules);

private:
    void validate();

    QList<RateLimitRule> m_rules;
    qsizetype m_position;
    QComboBox *m_scope;
    QLineEdit *m_match;
    QLineEdit *m_rpm;
    QLineEdit *m_tpm;
    QLineEdit *m_concurrency;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
