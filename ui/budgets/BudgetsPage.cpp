#include "BudgetsPage.h"

#include "BudgetRuleDialog.h"
#include "BudgetRulesModel.h"
#include "BudgetText.h"
#include "ConsolePalette.h"
#include "KeyRevealDialog.h"
#include "NewKeyDialog.h"
#include "RateLimitDialog.h"
#include "RateLimitsModel.h"
#include "UsageBarDelegate.h"
#include "VirtualKeysModel.h"
#include "admin/AdminChannel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {
constexpr int SubjectFractionRole = Qt::UserRole + 1;
constexpr int SubjectAlertRole = Qt::UserRole + 2;

QString storedInText(const QString &storedIn)
{
    if (storedIn.startsWith(QLatin1String("config file ")))
        return QCoreApplication::translate("BudgetsPage", "From %1: a change here is written back to that file.").arg(storedIn);
    return QCoreApplication::translate("BudgetsPage", "Kept in the store (tokenfuse.db): a change here is in force at once and survives a restart.");
}

QByteArray compact(const QJsonValue &value)
{
    return value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                           : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}
} // namespace

BudgetsPage::BudgetsPage(AdminChannel *admin, QWidget *parent)
    : QWidget(parent)
    , m_admin(admin)
    , m_budgets(new BudgetRulesModel(this))
    , m_rateLimits(new RateLimitsModel(this))
    , m_keys(new VirtualKeysModel(this))
    , m_tabs(new QTabWidget(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("budgetsPage"));
    m_tabs->setObjectName(QStringLiteral("budgetsTabs"));
    m_tabs->addTab(buildBudgetsTab(), tr("&Budgets"));
    m_tabs->addTab(buildRateLimitsTab(), tr("&Rate limits"));
    m_tabs->addTab(buildKeysTab(), tr("Virtual &keys"));
    m_status->setObjectName(QStringLiteral("budgetsStatus"));
    m_status->setWordWrap(true);
    m_status->setContentsMargins(10, 2, 10, 6);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);
    m_status->hide();
    recolourMuted();
}

void BudgetsPage::recolourMuted()
{
    // From the page's own palette: on a palette change the page hears first, its children after.
    QPalette muted;
    muted.setColor(QPalette::WindowText, ConsolePalette::mutedText(palette()));
    for (QWidget *w : std::as_const(m_muted))
        w->setPalette(muted);
}

void BudgetsPage::showEvent(QShowEvent *event)
{
    // Rate limits and keys are not in snapshots, and curl or another console may have changed them.
    refresh();
    QWidget::showEvent(event);
}

void BudgetsPage::changeEvent(QEvent *event)
{
    // Muted colours are derived from the palette: a switch to dark (or back) derives them again.
    if (event->type() == QEvent::PaletteChange)
        recolourMuted();
    QWidget::changeEvent(event);
}

QTableView *BudgetsPage::makeTable(const QString &objectName)
{
    auto *table = new QTableView(this);
    table->setObjectName(objectName);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->setVisible(false);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 14);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

static QHBoxLayout *buttonRow(const QList<QPushButton *> &buttons, QLabel *source)
{
    auto *row = new QHBoxLayout;
    for (QPushButton *b : buttons)
        row->addWidget(b);
    row->addSpacing(12);
    row->addWidget(source, 1);
    return row;
}

QWidget *BudgetsPage::buildBudgetsTab()
{
    auto *tab = new QWidget(this);
    m_budgetTable = makeTable(QStringLiteral("budgetsTable"));
    m_budgetTable->setModel(m_budgets);
    auto *bar = new UsageBarDelegate(BudgetRulesModel::FractionRole, this);
    bar->setAlertRole(BudgetRulesModel::AlertRole);
    m_budgetTable->setItemDelegateForColumn(BudgetRulesModel::Usage, bar);
    const int widths[] = {150, 120, 64, 140, 250, 160, 100};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_budgetTable->setColumnWidth(c, widths[c]);
    m_budgetTable->setColumnWidth(BudgetRulesModel::Alert, 70);
    // The usage bar takes what is left, so the table fits without scrolling sideways.
    m_budgetTable->horizontalHeader()->setStretchLastSection(false);
    m_budgetTable->horizontalHeader()->setSectionResizeMode(BudgetRulesModel::Usage, QHeaderView::Stretch);

    m_subjects = new QTreeWidget(this);
    m_subjects->setObjectName(QStringLiteral("budgetSubjects"));
    m_subjects->setRootIsDecorated(false);
    m_subjects->setColumnCount(2);
    m_subjects->setHeaderLabels({tr("Subject"), tr("Used of each cap")});
    m_subjects->setColumnWidth(0, 200);
    m_subjects->setUniformRowHeights(true);
    auto *subjectBar = new UsageBarDelegate(SubjectFractionRole, this);
    subjectBar->setAlertRole(SubjectAlertRole);
    m_subjects->setItemDelegateForColumn(1, subjectBar);
    m_subjects->hide();

    auto *add = new QPushButton(tr("&Add…"), this);
    add->setObjectName(QStringLiteral("addBudget"));
    m_editBudget = new QPushButton(tr("&Edit…"), this);
    m_editBudget->setObjectName(QStringLiteral("editBudget"));
    m_deleteBudget = new QPushButton(tr("&Delete"), this);
    m_deleteBudget->setObjectName(QStringLiteral("deleteBudget"));
    m_budgetsSource = new QLabel(storedInText(QString()), this);
    m_budgetsSource->setObjectName(QStringLiteral("budgetsSource"));
    m_budgetsSource->setWordWrap(true);
    m_muted.append(m_budgetsSource);

    connect(add, &QPushButton::clicked, this, [this] { editBudget(m_budgets->rowCount()); });
    connect(m_editBudget, &QPushButton::clicked, this, [this] {
        if (selectedRow(m_budgetTable) >= 0)
            editBudget(selectedRow(m_budgetTable));
    });
    connect(m_deleteBudget, &QPushButton::clicked, this, &BudgetsPage::deleteBudget);
    connect(m_budgetTable, &QTableView::doubleClicked, this, [this](const QModelIndex &i) { editBudget(i.row()); });
    m_budgetTable->installEventFilter(this); // the Delete key deletes (eventFilter)
    const auto selection = [this] {
        const bool any = selectedRow(m_budgetTable) >= 0;
        m_editBudget->setEnabled(any);
        m_deleteBudget->setEnabled(any);
        updateSubjects();
    };
    connect(m_budgetTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, selection);
    // A reset clears the selection without selectionChanged(): nothing is selected after it.
    connect(m_budgets, &QAbstractItemModel::modelReset, this, [this] {
        m_budgetTable->clearSelection();
        m_editBudget->setEnabled(false);
        m_deleteBudget->setEnabled(false);
        m_subjects->hide();
    });
    connect(m_budgets, &QAbstractItemModel::dataChanged, this, &BudgetsPage::updateSubjects);
    selection();

    auto *split = new QSplitter(Qt::Vertical, tab);
    split->addWidget(m_budgetTable);
    split->addWidget(m_subjects);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(buttonRow({add, m_editBudget, m_deleteBudget}, m_budgetsSource));
    layout->addWidget(split, 1);
    return tab;
}

QWidget *BudgetsPage::buildRateLimitsTab()
{
    auto *tab = new QWidget(this);
    m_rateTable = makeTable(QStringLiteral("rateLimitsTable"));
    m_rateTable->setModel(m_rateLimits);
    for (int c = RateLimitsModel::RequestsPerMinute; c < RateLimitsModel::ColumnCount; ++c)
        m_rateTable->setColumnWidth(c, 130);
    m_rateTable->horizontalHeader()->setStretchLastSection(false);
    m_rateTable->horizontalHeader()->setSectionResizeMode(RateLimitsModel::AppliesTo, QHeaderView::Stretch);
    auto *add = new QPushButton(tr("&Add…"), this);
    add->setObjectName(QStringLiteral("addRateLimit"));
    m_editRate = new QPushButton(tr("&Edit…"), this);
    m_editRate->setObjectName(QStringLiteral("editRateLimit"));
    m_deleteRate = new QPushButton(tr("&Delete"), this);
    m_deleteRate->setObjectName(QStringLiteral("deleteRateLimit"));
    m_rateSource = new QLabel(this);
    m_rateSource->setObjectName(QStringLiteral("rateLimitsSource"));
    m_rateSource->setWordWrap(true);
    m_muted.append(m_rateSource);
    auto *note = new QLabel(tr("Each tenant or session the rule matches gets its own limits, over any 60 seconds; "
                               "a request over one is refused with 429 and a retry-after."), this);
    note->setWordWrap(true);
    m_muted.append(note);

    connect(add, &QPushButton::clicked, this, [this] { editRateLimit(m_rateLimits->rowCount()); });
    connect(m_editRate, &QPushButton::clicked, this, [this] {
        if (selectedRow(m_rateTable) >= 0)
            editRateLimit(selectedRow(m_rateTable));
    });
    connect(m_deleteRate, &QPushButton::clicked, this, &BudgetsPage::deleteRateLimit);
    connect(m_rateTable, &QTableView::doubleClicked, this, [this](const QModelIndex &i) { editRateLimit(i.row()); });
    m_rateTable->installEventFilter(this); // the Delete key deletes (eventFilter)
    const auto selection = [this] {
        const bool any = selectedRow(m_rateTable) >= 0;
        m_editRate->setEnabled(any);
        m_deleteRate->setEnabled(any);
    };
    connect(m_rateTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, selection);
    connect(m_rateLimits, &QAbstractItemModel::modelReset, this, [this] {
        m_editRate->setEnabled(false);
        m_deleteRate->setEnabled(false);
    });
    selection();

    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(buttonRow({add, m_editRate, m_deleteRate}, m_rateSource));
    layout->addWidget(m_rateTable, 1);
    layout->addWidget(note);
    return tab;
}

QWidget *BudgetsPage::buildKeysTab()
{
    auto *tab = new QWidget(this);
    m_keyTable = makeTable(QStringLiteral("keysTable"));
    m_keyTable->setModel(m_keys);
    const int widths[] = {110, 140, 180, 150, 80};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_keyTable->setColumnWidth(c, widths[c]);
    auto *create = new QPushButton(tr("&Create…"), this);
    create->setObjectName(QStringLiteral("createKey"));
    m_revokeKey = new QPushButton(tr("Re&voke"), this);
    m_revokeKey->setObjectName(QStringLiteral("revokeKey"));
    auto *note = new QLabel(tr("A key names its tenant: send it as Authorization: Bearer tf-… (or x-api-key)."), this);
    note->setWordWrap(true);
    m_muted.append(note);
    connect(create, &QPushButton::clicked, this, &BudgetsPage::createKey);
    connect(m_revokeKey, &QPushButton::clicked, this, &BudgetsPage::revokeKey);
    m_keyTable->installEventFilter(this); // the Delete key deletes (eventFilter)
    const auto selection = [this] {
        const int row = selectedRow(m_keyTable);
        m_revokeKey->setEnabled(row >= 0 && !m_keys->keyAt(row).revoked);
    };
    connect(m_keyTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, selection);
    connect(m_keys, &QAbstractItemModel::modelReset, this, [this] { m_revokeKey->setEnabled(false); });
    selection();
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(buttonRow({create, m_revokeKey}, note));
    layout->addWidget(m_keyTable, 1);
    return tab;
}

bool BudgetsPage::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Delete)) {
        if (watched == m_budgetTable)
            deleteBudget();
        else if (watched == m_rateTable)
            deleteRateLimit();
        else if (watched == m_keyTable)
            revokeKey();
        else
            return QWidget::eventFilter(watched, event);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void BudgetsPage::setCurrency(const QString &currencyCode)
{
    if (!currencyCode.isEmpty())
        m_currency = currencyCode;
}

void BudgetsPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    m_nowMs = snapshot.takenAtMs ? snapshot.takenAtMs : QDateTime::currentMSecsSinceEpoch();
    m_budgets->setUsage(snapshot.budgets, m_nowMs);
    const QString source = snapshot.budgetsSource.isEmpty() ? QString() : QStringLiteral("config file ") + snapshot.budgetsSource;
    const QString text = storedInText(source);
    if (m_budgetsSource->text() != text)
        m_budgetsSource->setText(text);
}

void BudgetsPage::refresh()
{
    m_admin->call(AdminCall::get("/admin/v1/rate_limits"), this, [this](const AdminAnswer &a) {
        if (!a.ok())
            return showStatus(tr("Could not read the rate limits: %1").arg(a.errorMessage()), true);
        const QJsonObject o = a.body.toObject();
        m_rateLimits->setRules(RateLimitRule::listFromJson(o.value(QLatin1String("rate_limits"))).value_or(QList<RateLimitRule>()));
        m_rateSource->setText(storedInText(o.value(QLatin1String("stored_in")).toString()));
        clearError();
    });
    m_admin->call(AdminCall::get("/admin/v1/keys"), this, [this](const AdminAnswer &a) {
        if (!a.ok())
            return showStatus(tr("Could not list the virtual keys: %1").arg(a.errorMessage()), true);
        m_keys->setKeys(a.body.toObject().value(QLatin1String("keys")).toArray(), QDateTime::currentMSecsSinceEpoch());
        clearError();
    });
}

int BudgetsPage::selectedRow(QTableView *table) const
{
    const QModelIndexList rows = table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

bool BudgetsPage::confirm(const QString &title, const QString &text)
{
    return !m_confirm || QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes;
}

void BudgetsPage::showStatus(const QString &text, bool error)
{
    QPalette p = m_status->palette();
    p.setColor(QPalette::WindowText, error ? ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window))
                                           : palette().color(QPalette::WindowText));
    m_status->setPalette(p);
    m_status->setText(text);
    m_status->show();
    m_statusIsError = error;
    if (!error)
        Q_EMIT changed(text);
}

void BudgetsPage::clearError()
{
    // A refusal stays until the next thing that worked; a success line stays until the next change.
    if (m_statusIsError)
        m_status->hide();
    m_statusIsError = false;
}

void BudgetsPage::addRuleFor(BudgetScope scope, const QString &match)
{
    BudgetRule rule;
    rule.scope = scope;
    rule.match = match;
    rule.window = BudgetWindow::Day;
    rule.currency = m_currency;
    rule.name = QStringLiteral("%1 %2 per day").arg(BudgetRule::scopeName(scope), match);
    m_tabs->setCurrentIndex(0);
    editBudget(m_budgets->rowCount(), &rule);
}

void BudgetsPage::editBudget(qsizetype position, const BudgetRule *prefill)
{
    auto *dialog = new BudgetRuleDialog(m_budgets->rules(), position, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (prefill) {
        dialog->setRule(*prefill);
    } else if (position >= m_budgets->rowCount()) {
        BudgetRule fresh;
        fresh.currency = m_currency;
        dialog->setRule(fresh);
    }
    QPointer<BudgetRuleDialog> guard(dialog);
    connect(dialog, &BudgetRuleDialog::submitted, this, [this, guard](const QJsonArray &rules) { putBudgets(rules, guard); });
    dialog->open();
}

void BudgetsPage::putBudgets(const QJsonArray &rules, QPointer<BudgetRuleDialog> dialog)
{
    m_admin->call(AdminCall::put("/admin/v1/budgets", compact(rules)), this, [this, dialog](const AdminAnswer &a) {
        if (!a.ok()) {
            if (dialog)
                dialog->showRefusal(a.errorMessage());
            else
                showStatus(tr("The budgets were not changed: %1").arg(a.errorMessage()), true);
            return;
        }
        if (dialog)
            dialog->accept();
        const QString storedIn = a.body.toObject().value(QLatin1String("stored_in")).toString();
        m_budgetsSource->setText(storedInText(storedIn));
        showStatus(tr("Budgets saved in the %1; in force now.").arg(storedIn), false);
    });
}

void BudgetsPage::deleteBudget()
{
    const int row = selectedRow(m_budgetTable);
    if (row < 0)
        return;
    const QString name = m_budgets->usageAt(row).rule.displayName();
    if (!confirm(tr("Delete budget"), tr("Delete the budget \"%1\"? Requests it capped are no longer capped by it.").arg(name)))
        return;
    QJsonArray rules;
    const QList<BudgetRule> all = m_budgets->rules();
    for (qsizetype i = 0; i < all.size(); ++i) {
        if (i != row)
            rules.append(all.at(i).toJson());
    }
    putBudgets(rules, nullptr);
}

void BudgetsPage::updateSubjects()
{
    const int row = selectedRow(m_budgetTable);
    if (row < 0 || row >= m_budgets->rowCount()) {
        m_subjects->hide();
        return;
    }
    const BudgetUsage &u = m_budgets->usageAt(row);
    m_subjects->show();
    // Items are reused in place: a snapshot a quarter second later mostly changes figures only.
    while (m_subjects->topLevelItemCount() > u.counters.size())
        delete m_subjects->takeTopLevelItem(m_subjects->topLevelItemCount() - 1);
    for (qsizetype i = 0; i < u.counters.size(); ++i) {
        QTreeWidgetItem *item = i < m_subjects->topLevelItemCount() ? m_subjects->topLevelItem(int(i)) : new QTreeWidgetItem(m_subjects);
        const BudgetCounterUsage &c = u.counters.at(i);
        item->setText(0, c.subject.isEmpty() ? tr("(every request)") : c.subject);
        item->setText(1, BudgetText::usage(u.rule, c));
        item->setData(1, SubjectFractionRole, c.fraction);
        item->setData(1, SubjectAlertRole, u.rule.alertAt);
    }
    if (u.counters.isEmpty() && m_subjects->topLevelItemCount() == 0) {
        auto *none = new QTreeWidgetItem(m_subjects);
        none->setText(0, tr("nothing counted in this window yet"));
    }
}

void BudgetsPage::editRateLimit(qsizetype position)
{
    auto *dialog = new RateLimitDialog(m_rateLimits->rules(), position, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<RateLimitDialog> guard(dialog);
    connect(dialog, &RateLimitDialog::submitted, this, [this, guard](const QJsonArray &rules) {
        putRateLimits(rules, [guard](const QString &refusal) {
            if (!guard)
                return;
            if (refusal.isEmpty())
                guard->accept();
            else
                guard->showRefusal(refusal);
        });
    });
    dialog->open();
}

void BudgetsPage::deleteRateLimit()
{
    const int row = selectedRow(m_rateTable);
    if (row < 0)
        return;
    const RateLimitRule &rule = m_rateLimits->rules().at(row);
    if (!confirm(tr("Delete rate limit"), tr("Delete the %1?").arg(rule.displayName())))
        return;
    QList<RateLimitRule> rest = m_rateLimits->rules();
    rest.removeAt(row);
    putRateLimits(RateLimitRule::listToJson(rest).toArray(), [this](const QString &refusal) {
        if (!refusal.isEmpty())
            showStatus(tr("The rate limits were not changed: %1").arg(refusal), true);
    });
}

void BudgetsPage::putRateLimits(const QJsonArray &rules, const std::function<void(const QString &refusal)> &done)
{
    m_admin->call(AdminCall::put("/admin/v1/rate_limits", compact(rules)), this, [this, done](const AdminAnswer &a) {
        if (!a.ok())
            return done(a.errorMessage());
        const QJsonObject o = a.body.toObject();
        m_rateLimits->setRules(RateLimitRule::listFromJson(o.value(QLatin1String("rate_limits"))).value_or(QList<RateLimitRule>()));
        const QString storedIn = o.value(QLatin1String("stored_in")).toString();
        m_rateSource->setText(storedInText(storedIn));
        showStatus(tr("Rate limits saved in the %1; in force now.").arg(storedIn), false);
        done(QString());
    });
}

void BudgetsPage::createKey()
{
    auto *dialog = new NewKeyDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<NewKeyDialog> guard(dialog);
    connect(dialog, &NewKeyDialog::submitted, this, [this, guard](const QString &tenant, const QString &name, int priority) {
        QJsonObject body{{QStringLiteral("tenant"), tenant}, {QStringLiteral("name"), name}};
        if (priority != 0)
            body.insert(QStringLiteral("priority"), priority);
        m_admin->call(AdminCall::post("/admin/v1/keys", compact(body)), this, [this, guard, tenant](const AdminAnswer &a) {
            if (!a.ok()) {
                if (guard)
                    guard->showRefusal(a.errorMessage());
                return;
            }
            if (guard)
                guard->accept();
            auto *reveal = new KeyRevealDialog(a.body.toObject().value(QLatin1String("key")).toString(), tenant, this);
            reveal->setAttribute(Qt::WA_DeleteOnClose);
            reveal->open();
            showStatus(tr("Key %1 created for tenant %2.").arg(a.body.toObject().value(QLatin1String("id")).toString(), tenant), false);
            refresh();
        });
    });
    dialog->open();
}

void BudgetsPage::revokeKey()
{
    const int row = selectedRow(m_keyTable);
    if (row < 0 || m_keys->keyAt(row).revoked)
        return;
    const VirtualKeysModel::Key key = m_keys->keyAt(row);
    if (!confirm(tr("Revoke key"), tr("Revoke key %1… (%2, tenant %3)? Requests with it are refused from now on; this can't be undone.")
                                       .arg(key.prefix, key.name.isEmpty() ? key.id : key.name, key.tenant)))
        return;
    m_admin->call(AdminCall::post("/admin/v1/keys/" + key.id.toUtf8() + "/revoke", QByteArray()), this, [this, key](const AdminAnswer &a) {
        if (!a.ok())
            return showStatus(tr("Key %1 was not revoked: %2").arg(key.id, a.errorMessage()), true);
        showStatus(tr("Key %1 revoked.").arg(key.id), false);
        refresh();
    });
}
