#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Asks for a new virtual key's tenant, name and queue priority (its tier in the upstreams' wait
// queues; 0 keeps its tenant's). OK emits submitted(); the page closes the dialog
// once the gateway has made the key, or shows its refusal with showRefusal().
class NewKeyDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewKeyDialog(QWidget *parent = nullptr);

    QString tenant() const;
    QString name() const;
    int priority() const;
    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QString &tenant, const QString &name, int priority);

private:
    QLineEdit *m_tenant;
    QLineEdit *m_name;
    QSpinBox *m_priority;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
