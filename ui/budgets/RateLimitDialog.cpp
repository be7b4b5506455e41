#include "RateLimitDialog.h"

#include "ConsolePalette.h"
#include "RuleFieldJson.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

RateLimitDialog::RateLimitDialog(const QList<RateLimitRule> &rules, qsizetype position, QWidget *parent)
    : QDialog(parent)
    , m_rules(rules)
    , m_position(position)
    , m_scope(new QComboBox(this))
    , m_match(new QLineEdit(this))
    , m_rpm(new QLineEdit(this))
    , m_tpm(new QLineEdit(this))
    , m_concurrency(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("rateLimitDialog"));
    setWindowTitle(position < rules.size() ? tr("Edit rate limit") : tr("Add rate limit"));
    m_scope->setObjectName(QStringLiteral("scope"));
    m_match->setObjectName(QStringLiteral("match"));
    m_rpm->setObjectName(QStringLiteral("rpm"));
    m_tpm->setObjectName(QStringLiteral("tpm"));
    m_concurrency->setObjectName(QStringLiteral("concurrency"));
    m_error->setObjectName(QStringLiteral("error"));
    m_scope->addItem(tr("each session"), QStringLiteral("session"));
    m_scope->addItem(tr("each tenant"), QStringLiteral("tenant"));
    m_match->setPlaceholderText(tr("a name or a glob (* and ?)"));
    for (QLineEdit *e : {m_rpm, m_tpm, m_concurrency})
        e->setPlaceholderText(tr("no limit"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Scope"), m_scope);
    form->addRow(tr("&Match"), m_match);
    form->addRow(tr("&Requests per minute"), m_rpm);
    form->addRow(tr("&Tokens per minute"), m_tpm);
    form->addRow(tr("Requests at &once"), m_concurrency);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window)));
    m_error->setPalette(errorPalette);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        validate();
        if (error().isEmpty())
            Q_EMIT submitted(listJson());
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_match, m_rpm, m_tpm, m_concurrency})
        connect(e, &QLineEdit::textChanged, this, &RateLimitDialog::validate);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &RateLimitDialog::validate);

    const RateLimitRule rule = position < rules.size() ? rules.at(position) : RateLimitRule();
    m_scope->setCurrentIndex(m_scope->findData(BudgetRule::scopeName(rule.scope)));
    m_match->setText(rule.match);
    m_rpm->setText(rule.rpm ? QString::number(*rule.rpm) : QString());
    m_tpm->setText(rule.tpm ? QString::number(*rule.tpm) : QString());
    m_concurrency->setText(rule.concurrency ? QString::number(*rule.concurrency) : QString());
    validate();
    setMinimumWidth(400);
}

QJsonObject RateLimitDialog::ruleJson() const
{
    QJsonObject o{{QStringLiteral("scope"), m_scope->currentData().toString()},
                  {QStringLiteral("match"), m_match->text().trimmed()}};
    RuleFieldJson::insertNumber(o, QStringLiteral("rpm"), m_rpm->text());
    RuleFieldJson::insertNumber(o, QStringLiteral("tpm"), m_tpm->text());
    RuleFieldJson::insertNumber(o, QStringLiteral("concurrency"), m_concurrency->text());
    return o;
}

QJsonArray RateLimitDialog::listJson() const
{
    QJsonArray list;
    for (qsizetype i = 0; i < m_rules.size(); ++i)
        list.append(i == m_position ? QJsonValue(ruleJson()) : QJsonValue(m_rules.at(i).toJson()));
    if (m_position >= m_rules.size())
        list.append(ruleJson());
    return list;
}

QString RateLimitDialog::error() const
{
    return m_error->text();
}

void RateLimitDialog::validate()
{
    QString message;
    if (!RateLimitRule::listFromJson(listJson(), &message))
        m_error->setText(message);
    else
        m_error->clear();
    m_error->setVisible(!m_error->text().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_error->text().isEmpty());
}

void RateLimitDialog::showRefusal(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(true);
}
