#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Asks for a new virtual key's tenant and name. OK emits submitted(); the page closes the dialog
// once the gateway has made the key, or shows its refusal with showRefusal().
class NewKeyDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewKeyDialog(QWidget *parent = nullptr);

    QString tenant() const;
    QString name() const;
    void showRefusal(const QString &message);

Q_SIGNALS:
    void submitted(const QString &tenant, const QString &name);

private:
    QLineEdit *m_tenant;
    QLineEdit *m_name;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
