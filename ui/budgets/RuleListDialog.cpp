#include "RuleListDialog.h"

#include "ConsolePalette.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

RuleListDialog::RuleListDialog(const QJsonArray &rules, qsizetype position, QWidget *parent)
    : QDialog(parent)
    , m_rules(rules)
    , m_position(position)
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window)));
    m_error->setPalette(errorPalette);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        validate();
        if (error().isEmpty())
            Q_EMIT submitted(listJson());
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void RuleListDialog::setForm(QFormLayout *form)
{
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
}

QJsonArray RuleListDialog::listJson() const
{
    QJsonArray list;
    for (qsizetype i = 0; i < m_rules.size(); ++i)
        list.append(i == m_position ? QJsonValue(ruleJson()) : m_rules.at(i));
    if (isNew())
        list.append(ruleJson());
    return list;
}

QString RuleListDialog::error() const
{
    return m_error->text();
}

void RuleListDialog::validate()
{
    QString message;
    if (!accepts(listJson(), &message))
        m_error->setText(message);
    else
        m_error->clear();
    m_error->setVisible(!m_error->text().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_error->text().isEmpty());
}

void RuleListDialog::showRefusal(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(true);
}
