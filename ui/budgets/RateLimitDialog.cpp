#include "RateLimitDialog.h"

#include "RuleFieldJson.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>

RateLimitDialog::RateLimitDialog(const QList<RateLimitRule> &rules, qsizetype position, QWidget *parent)
    : RuleListDialog(RateLimitRule::listToJson(rules).toArray(), position, parent)
    , m_scope(new QComboBox(this))
    , m_match(new QLineEdit(this))
    , m_rpm(new QLineEdit(this))
    , m_tpm(new QLineEdit(this))
    , m_concurrency(new QLineEdit(this))
{
    setObjectName(QStringLiteral("rateLimitDialog"));
    setWindowTitle(position < rules.size() ? tr("Edit rate limit") : tr("Add rate limit"));
    m_scope->setObjectName(QStringLiteral("scope"));
    m_match->setObjectName(QStringLiteral("match"));
    m_rpm->setObjectName(QStringLiteral("rpm"));
    m_tpm->setObjectName(QStringLiteral("tpm"));
    m_concurrency->setObjectName(QStringLiteral("concurrency"));
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
    setForm(form);
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

bool RateLimitDialog::accepts(const QJsonArray &list, QString *message) const
{
    return RateLimitRule::listFromJson(list, message).has_value();
}
