#include "NewKeyDialog.h"

#include "ConsolePalette.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

NewKeyDialog::NewKeyDialog(QWidget *parent)
    : QDialog(parent)
    , m_tenant(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_priority(new QSpinBox(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("newKeyDialog"));
    setWindowTitle(tr("Create virtual key"));
    m_tenant->setObjectName(QStringLiteral("tenant"));
    m_name->setObjectName(QStringLiteral("name"));
    m_priority->setObjectName(QStringLiteral("priority"));
    m_priority->setRange(-1000, 1000);
    m_priority->setValue(0);
    m_priority->setToolTip(tr("When an upstream's wait queue is full, higher priorities are served first and lower ones refused. "
                              "0 keeps the tier the config's \"tenants\" give its tenant."));
    m_error->setObjectName(QStringLiteral("error"));
    m_tenant->setPlaceholderText(tr("the tenant its requests are counted for"));
    m_name->setPlaceholderText(tr("what uses it, e.g. ci-bot"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("C&reate"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Tenant"), m_tenant);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Queue &priority"), m_priority);
    m_error->setWordWrap(true);
    m_error->hide();
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window)));
    m_error->setPalette(p);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    const auto check = [this] { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!tenant().isEmpty()); };
    connect(m_tenant, &QLineEdit::textChanged, this, check);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!tenant().isEmpty())
            Q_EMIT submitted(tenant(), name(), priority());
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    check();
    setMinimumWidth(380);
}

QString NewKeyDialog::tenant() const
{
    return m_tenant->text().trimmed();
}

QString NewKeyDialog::name() const
{
    return m_name->text().trimmed();
}

int NewKeyDialog::priority() const
{
    return m_priority->value();
}

void NewKeyDialog::showRefusal(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}
