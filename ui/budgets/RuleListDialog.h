#pragma once

#include <QDialog>
#include <QJsonArray>
#include <QJsonObject>

class QDialogButtonBox;
class QFormLayout;
class QLabel;

// Adds or edits one rule of a list (a budget, a rate limit) in a form. Every change is checked on
// the whole list the page would send, by the code the admin API runs, so the message under the
// fields is the one the API would answer; OK stays disabled while there is one. OK does not close
// the dialog: it emits submitted() with the whole list, and the page closes it once the gateway
// has taken it (accept()) or shows the gateway's refusal with showRefusal().
class RuleListDialog : public QDialog
{
    Q_OBJECT
public:
    // The rule's fields as the JSON object the admin API takes; numbers left as typed when they
    // are not numbers, so the API's own message names them.
    virtual QJsonObject ruleJson() const = 0;
    // The whole list with this rule in place.
    QJsonArray listJson() const;
    QString error() const;
    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QJsonArray &rules);

protected:
    // `rules` the list in force, as the admin API gives it; `position` the rule edited, or
    // rules.size() to add one.
    RuleListDialog(const QJsonArray &rules, qsizetype position, QWidget *parent);
    bool isNew() const { return m_position >= m_rules.size(); }
    // The form over the error line and OK / Cancel; call once, from the constructor.
    void setForm(QFormLayout *form);
    // Checks the list as the admin API would: false with its message when it refuses it.
    virtual bool accepts(const QJsonArray &list, QString *message) const = 0;
    void validate();

private:
    QJsonArray m_rules;
    qsizetype m_position;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
