#include "BudgetRuleDialog.h"

#include "RuleFieldJson.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>

BudgetRuleDialog::BudgetRuleDialog(const QList<BudgetRule> &rules, qsizetype position, QWidget *parent)
    : RuleListDialog(BudgetRule::listToJson(rules).toArray(), position, parent)
    , m_name(new QLineEdit(this))
    , m_scope(new QComboBox(this))
    , m_match(new QLineEdit(this))
    , m_window(new QComboBox(this))
    , m_maxTokens(new QLineEdit(this))
    , m_maxCost(new QLineEdit(this))
    , m_maxRequests(new QLineEdit(this))
    , m_currency(new QLineEdit(this))
    , m_overCap(new QComboBox(this))
    , m_alertAt(new QLineEdit(this))
    , m_minOutput(new QLineEdit(this))
{
    setObjectName(QStringLiteral("budgetRuleDialog"));
    setWindowTitle(position < rules.size() ? tr("Edit budget") : tr("Add budget"));
    const struct
    {
        QWidget *widget;
        const char *name;
    } named[] = {{m_name, "name"}, {m_scope, "scope"}, {m_match, "match"}, {m_window, "window"},
                 {m_maxTokens, "maxTokens"}, {m_maxCost, "maxCost"}, {m_maxRequests, "maxRequests"},
                 {m_currency, "currency"}, {m_overCap, "overCap"}, {m_alertAt, "alertAt"},
                 {m_minOutput, "minOutputTokens"}};
    for (const auto &n : named)
        n.widget->setObjectName(QString::fromLatin1(n.name));

    for (BudgetScope s : {BudgetScope::Global, BudgetScope::Tenant, BudgetScope::Session, BudgetScope::Model})
        m_scope->addItem(BudgetRule::scopeName(s), BudgetRule::scopeName(s));
    for (BudgetWindow w : {BudgetWindow::Request, BudgetWindow::Minute, BudgetWindow::Hour, BudgetWindow::Day,
                           BudgetWindow::Month, BudgetWindow::Total})
        m_window->addItem(BudgetRule::windowName(w), BudgetRule::windowName(w));
    m_overCap->addItem(tr("shrink the output to what is left"), QStringLiteral("clamp"));
    m_overCap->addItem(tr("refuse the request (402)"), QStringLiteral("refuse"));
    m_name->setPlaceholderText(tr("derived from scope and window"));
    m_match->setPlaceholderText(tr("a name or a glob (* and ?)"));
    m_maxTokens->setPlaceholderText(tr("no cap"));
    m_maxCost->setPlaceholderText(tr("no cap, e.g. 5.00"));
    m_maxRequests->setPlaceholderText(tr("no cap"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Scope"), m_scope);
    form->addRow(tr("&Match"), m_match);
    form->addRow(tr("&Window"), m_window);
    form->addRow(tr("Max &tokens"), m_maxTokens);
    form->addRow(tr("Max &cost"), m_maxCost);
    form->addRow(tr("Max &requests"), m_maxRequests);
    form->addRow(tr("C&urrency"), m_currency);
    form->addRow(tr("&Over the cap"), m_overCap);
    form->addRow(tr("&Alert at (fraction of a cap)"), m_alertAt);
    form->addRow(tr("Min output to&kens"), m_minOutput);
    setForm(form);
    for (QLineEdit *edit : {m_name, m_match, m_maxTokens, m_maxCost, m_maxRequests, m_currency, m_alertAt, m_minOutput})
        connect(edit, &QLineEdit::textChanged, this, &BudgetRuleDialog::validate);
    for (QComboBox *box : {m_scope, m_window, m_overCap})
        connect(box, &QComboBox::currentIndexChanged, this, &BudgetRuleDialog::validate);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &BudgetRuleDialog::scopeChanged);

    setRule(position < rules.size() ? rules.at(position) : BudgetRule());
    setMinimumWidth(440);
}

void BudgetRuleDialog::setRule(const BudgetRule &rule)
{
    m_name->setText(rule.name);
    m_scope->setCurrentIndex(m_scope->findData(BudgetRule::scopeName(rule.scope)));
    m_match->setText(rule.match);
    m_window->setCurrentIndex(m_window->findData(BudgetRule::windowName(rule.window)));
    m_maxTokens->setText(rule.maxTokens ? QString::number(*rule.maxTokens) : QString());
    m_maxCost->setText(rule.maxCostMicros ? RuleFieldJson::money(*rule.maxCostMicros) : QString());
    m_maxRequests->setText(rule.maxRequests ? QString::number(*rule.maxRequests) : QString());
    m_currency->setText(rule.currency);
    m_overCap->setCurrentIndex(m_overCap->findData(BudgetRule::overCapName(rule.overCap)));
    m_alertAt->setText(QString::number(rule.alertAt));
    m_minOutput->setText(QString::number(rule.minOutputTokens));
    scopeChanged();
    validate();
}

void BudgetRuleDialog::scopeChanged()
{
    m_match->setEnabled(m_scope->currentData().toString() != QLatin1String("global"));
}

QJsonObject BudgetRuleDialog::ruleJson() const
{
    QJsonObject o{{QStringLiteral("scope"), m_scope->currentData().toString()},
                  {QStringLiteral("window"), m_window->currentData().toString()},
                  {QStringLiteral("over_cap"), m_overCap->currentData().toString()}};
    if (!m_name->text().trimmed().isEmpty())
        o.insert(QStringLiteral("name"), m_name->text().trimmed());
    if (m_match->isEnabled())
        o.insert(QStringLiteral("match"), m_match->text().trimmed());
    RuleFieldJson::insertNumber(o, QStringLiteral("max_tokens"), m_maxTokens->text());
    RuleFieldJson::insertNumber(o, QStringLiteral("max_cost"), m_maxCost->text());
    RuleFieldJson::insertNumber(o, QStringLiteral("max_requests"), m_maxRequests->text());
    if (!m_currency->text().trimmed().isEmpty())
        o.insert(QStringLiteral("currency"), m_currency->text().trimmed());
    RuleFieldJson::insertNumber(o, QStringLiteral("alert_at"), m_alertAt->text());
    if (m_overCap->currentData().toString() == QLatin1String("clamp"))
        RuleFieldJson::insertNumber(o, QStringLiteral("min_output_tokens"), m_minOutput->text());
    return o;
}

bool BudgetRuleDialog::accepts(const QJsonArray &list, QString *message) const
{
    return BudgetRule::listFromJson(list, message).has_value();
}
