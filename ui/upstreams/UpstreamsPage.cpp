#include "UpstreamsPage.h"

#include "BreakerChipDelegate.h"
#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "UpstreamDialog.h"
#include "UpstreamText.h"
#include "UpstreamsModel.h"
#include "admin/AdminCall.h"
#include "admin/AdminChannel.h"
#include "widgets/CardFrame.h"
#include "widgets/FieldGrid.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace {

struct ColumnWidth
{
    int column;
    int width;
};

// Fixed starting widths (measuring contents on every update would cost more than it gives); the
// key takes what is left.
constexpr ColumnWidth DefaultWidths[] = {
    {UpstreamsModel::Name, 170}, {UpstreamsModel::Breaker, 96}, {UpstreamsModel::ErrorRate, 62},
    {UpstreamsModel::Latency, 118}, {UpstreamsModel::Ttft, 74}, {UpstreamsModel::Load, 70},
    {UpstreamsModel::Queue, 62}, {UpstreamsModel::Enabled, 72},
};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString clock(qint64 ms)
{
    return ConsoleFormat::clockTime(ms, QDateTime::currentMSecsSinceEpoch());
}

QString failed(const AdminAnswer &a)
{
    const QString message = a.errorMessage();
    if (!message.isEmpty())
        return message;
    return a.status == 0 ? UpstreamsPage::tr("the gateway did not answer") : UpstreamsPage::tr("status %1").arg(a.status);
}

} // namespace

UpstreamsPage::UpstreamsPage(AdminChannel *admin, QWidget *parent)
    : QWidget(parent)
    , m_admin(admin)
    , m_model(new UpstreamsModel(this))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("upstreamsPage"));

    m_table->setObjectName(QStringLiteral("upstreamsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 14);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setHighlightSections(false);
    for (const ColumnWidth &w : DefaultWidths)
        m_table->setColumnWidth(w.column, w.width);
    header->setSectionResizeMode(UpstreamsModel::Key, QHeaderView::Stretch);
    header->moveSection(UpstreamsModel::Key, UpstreamsModel::Enabled); // the key last: it takes the spare width
    m_table->setItemDelegateForColumn(UpstreamsModel::Breaker, new BreakerChipDelegate(m_table));
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &UpstreamsPage::selectionChanged);
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (index.isValid())
            editUpstream();
    });
    // Details follow the row's data in place: no reset, no lost selection.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const int row = m_model->rowOf(m_selected);
        if (row >= from.row() && row <= to.row()) {
            updateDetails();
            updateButtons();
        }
    });

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("upstreamsSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_table);
    split->addWidget(buildDetails());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    m_table->setMinimumHeight(120);
    split->setSizes({260, 220});

    m_stack->setObjectName(QStringLiteral("upstreamsStack"));
    m_stack->addWidget(buildEmptyState());
    m_stack->addWidget(split);

    m_status->setObjectName(QStringLiteral("upstreamStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::makeMuted(m_status);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(buildToolbar());
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_status);
    updateButtons();
    updateDetails();
}

QWidget *UpstreamsPage::buildToolbar()
{
    auto *bar = new QWidget(this);
    const auto button = [bar](const char *name, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, bar);
        b->setObjectName(QLatin1String(name));
        b->setToolTip(tip);
        return b;
    };
    m_add = button("upstreamAddButton", tr("Add from preset…"), tr("Add a provider: DeepSeek, OpenAI, Anthropic, a local server, …"));
    m_edit = button("upstreamEditButton", tr("Edit…"), tr("Change the selected upstream (or double-click its row)"));
    m_enable = button("upstreamEnableButton", tr("Disable"), tr("Stop or resume sending requests to the selected upstream"));
    m_remove = button("upstreamRemoveButton", tr("Remove"), tr("Remove the selected upstream from the config"));
    m_test = button("upstreamTestButton", tr("Test"), tr("Send one tiny request to the selected upstream"));
    connect(m_add, &QPushButton::clicked, this, &UpstreamsPage::addUpstream);
    connect(m_edit, &QPushButton::clicked, this, &UpstreamsPage::editUpstream);
    connect(m_enable, &QPushButton::clicked, this, &UpstreamsPage::toggleEnabled);
    connect(m_remove, &QPushButton::clicked, this, &UpstreamsPage::removeUpstream);
    connect(m_test, &QPushButton::clicked, this, &UpstreamsPage::testUpstream);

    m_count = new QLabel(bar);
    m_count->setObjectName(QStringLiteral("upstreamCount"));
    ConsolePalette::makeMuted(m_count);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_add);
    layout->addWidget(m_count);
    layout->addStretch(1);
    layout->addWidget(m_test);
    layout->addWidget(m_edit);
    layout->addWidget(m_enable);
    layout->addWidget(m_remove);
    return bar;
}

QWidget *UpstreamsPage::buildEmptyState()
{
    auto *card = new CardFrame(this);
    card->setObjectName(QStringLiteral("upstreamsEmptyState"));
    auto *title = new QLabel(tr("No provider yet"), card);
    title->setObjectName(QStringLiteral("upstreamsEmptyTitle"));
    ConsolePalette::scaleFont(title, 1.25, QFont::DemiBold);
    title->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(tr("Every model is answered by the built-in simulator, so agents work but no real model is "
                               "called. Add a provider (DeepSeek, OpenAI, Anthropic, OpenRouter, a local Ollama, …) "
                               "to send requests to it; the simulator steps aside once one is configured."),
                            card);
    text->setObjectName(QStringLiteral("upstreamsEmptyText"));
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    // A fixed width, so the wrapped text gets the height it needs at that width.
    text->setFixedWidth(520);
    text->setMinimumHeight(text->heightForWidth(520));
    ConsolePalette::makeMuted(text);
    auto *add = new QPushButton(tr("Add a provider…"), card);
    add->setObjectName(QStringLiteral("upstreamsEmptyAddButton"));
    add->setDefault(true);
    connect(add, &QPushButton::clicked, this, &UpstreamsPage::addUpstream);

    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(CardFrame::padding());
    layout->setSpacing(12);
    layout->addStretch(1);
    layout->addWidget(title);
    layout->addWidget(text, 0, Qt::AlignHCenter);
    layout->addWidget(add, 0, Qt::AlignHCenter);
    layout->addStretch(2);
    return card;
}

QWidget *UpstreamsPage::buildDetails()
{
    auto *card = new CardFrame(this);
    card->setObjectName(QStringLiteral("upstreamDetails"));
    m_detailsTitle = new QLabel(card);
    m_detailsTitle->setObjectName(QStringLiteral("upstreamDetailsTitle"));
    m_detailsTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_detailsTitle, 1.05, QFont::DemiBold);
    m_detailsHint = new QLabel(tr("Select an upstream to see its model breakers, last probe and Test result."), card);
    m_detailsHint->setWordWrap(true);
    ConsolePalette::makeMuted(m_detailsHint);

    m_fields = new FieldGrid(QStringLiteral("upstreamDetail_"), card);
    m_fields->addField(QStringLiteral("breaker"), tr("Breaker"), 0, 0, 2);
    m_fields->addField(QStringLiteral("test"), tr("Last test"), 0, 2);
    m_fields->addField(QStringLiteral("probe"), tr("Last probe"), 0, 3);
    m_fields->addField(QStringLiteral("modelBreakers"), tr("Model breakers"), 2, 0, 2);
    m_fields->addField(QStringLiteral("traffic"), tr("Last minute"), 2, 2, 2);
    m_fields->addField(QStringLiteral("endpoint"), tr("Endpoint"), 4, 0, 2);
    m_fields->addField(QStringLiteral("models"), tr("Models"), 4, 2, 2);
    for (int column = 0; column < 4; ++column)
        m_fields->grid()->setColumnStretch(column, 1);
    m_fields->grid()->setRowStretch(6, 1);

    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(CardFrame::padding());
    layout->setSpacing(8);
    layout->addWidget(m_detailsTitle);
    layout->addWidget(m_detailsHint);
    layout->addWidget(m_fields, 1);
    return card;
}

UpstreamDialog *UpstreamsPage::dialog() const
{
    return findChild<UpstreamDialog *>(QString(), Qt::FindDirectChildrenOnly);
}

bool UpstreamsPage::showsEmptyState() const
{
    return m_stack->currentIndex() == 0;
}

void UpstreamsPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    m_simulatorOnly = snapshot.simulatorOnly;
    m_model->setUpstreams(snapshot.upstreamViews);
    // Only a gateway that says so, or that lists none, is simulator-only; a snapshot before the
    // gateway runs says neither and leaves the page as it was.
    if (snapshot.state == GatewaySnapshot::State::Running || snapshot.simulatorOnly || !snapshot.upstreamViews.isEmpty()) {
        const int page = snapshot.simulatorOnly || snapshot.upstreamViews.isEmpty() ? 0 : 1;
        if (m_stack->currentIndex() != page)
            m_stack->setCurrentIndex(page);
    }
    if (!m_pendingSelection.isEmpty() && selectUpstream(m_pendingSelection))
        m_pendingSelection.clear();
    if (!m_selected.isEmpty() && m_model->rowOf(m_selected) < 0) {
        m_selected.clear();
        m_table->clearSelection();
        updateDetails();
    }
    const int n = m_model->rowCount();
    const QString count = n == 0 ? QString() : n == 1 ? tr("1 upstream") : tr("%1 upstreams").arg(n);
    if (m_count->text() != count)
        m_count->setText(count);
    updateButtons();
}

bool UpstreamsPage::selectUpstream(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
    return true;
}

void UpstreamsPage::selectionChanged()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_selected = rows.isEmpty() ? QString() : rows.first().data(UpstreamsModel::NameRole).toString();
    updateButtons();
    updateDetails();
}

void UpstreamsPage::updateButtons()
{
    const int row = m_model->rowOf(m_selected);
    const bool selected = row >= 0;
    m_edit->setEnabled(selected);
    m_enable->setEnabled(selected);
    m_remove->setEnabled(selected);
    m_test->setEnabled(selected && !m_testing.value(m_selected));
    const QString label = selected && !m_model->upstreamAt(row).enabled ? tr("Enable") : tr("Disable");
    if (m_enable->text() != label)
        m_enable->setText(label);
}

void UpstreamsPage::updateDetails()
{
    const int row = m_model->rowOf(m_selected);
    m_detailsHint->setVisible(row < 0);
    m_fields->setVisible(row >= 0);
    if (row < 0) {
        m_detailsTitle->setText(tr("No upstream selected"));
        return;
    }
    const UpstreamView &u = m_model->upstreamAt(row);
    m_detailsTitle->setText(u.enabled ? u.name : tr("%1 (disabled)").arg(u.name));

    QString breaker = UpstreamText::breakerLabel(u.breaker);
    if (u.breakerSinceMs > 0)
        breaker += tr(" since %1").arg(clock(u.breakerSinceMs));
    if (!u.breakerReason.isEmpty())
        breaker += QStringLiteral(": ") + u.breakerReason;
    if (u.retryAtMs > 0)
        breaker += tr("; next probe at %1").arg(clock(u.retryAtMs));
    m_fields->setField(QStringLiteral("breaker"), breaker);

    QStringList models;
    for (const UpstreamModelBreakerView &m : u.modelBreakers) {
        QString line = tr("%1: %2").arg(m.model, UpstreamText::breakerLabel(m.state));
        if (!m.reason.isEmpty())
            line += QStringLiteral(" (") + m.reason + QLatin1Char(')');
        if (m.retryAtMs > 0)
            line += tr(", retry at %1").arg(clock(m.retryAtMs));
        models << line;
    }
    m_fields->setField(QStringLiteral("modelBreakers"), models.isEmpty() ? tr("all closed") : models.join(QLatin1Char('\n')));
    m_fields->setField(QStringLiteral("probe"), u.lastProbeAtMs > 0 ? tr("%1 at %2").arg(u.lastProbe, clock(u.lastProbeAtMs))
                                                                    : tr("none yet"));
    const QString test = m_testing.value(u.name) ? tr("testing…") : m_testResults.value(u.name);
    m_fields->setField(QStringLiteral("test"), test.isEmpty() ? tr("not tested yet") : test);
    m_fields->setField(QStringLiteral("traffic"),
                       tr("%1 requests, %2 failed").arg(ConsoleFormat::count(u.requests), ConsoleFormat::count(u.failures)));
    m_fields->setField(QStringLiteral("endpoint"), tr("%1 (%2), priority %3, weight %4").arg(u.baseUrl, u.dialect).arg(u.priority).arg(u.weight));
    m_fields->setField(QStringLiteral("models"), u.models.isEmpty() ? tr("every model") : u.models.join(QStringLiteral(", ")));
    m_fields->fitHeights();
}

void UpstreamsPage::showStatus(const QString &text, bool error)
{
    QPalette p = m_status->palette();
    p.setColor(QPalette::WindowText, error ? ConsolePalette::readableOn(ConsolePalette::failure(), palette().color(QPalette::Window))
                                           : ConsolePalette::mutedText(palette()));
    m_status->setPalette(p);
    m_status->setText(text);
    if (!error)
        Q_EMIT changed(text);
}

QByteArray UpstreamsPage::pathOf(const QString &name, const char *action) const
{
    QByteArray path = "/admin/v1/upstreams/" + QUrl::toPercentEncoding(name);
    if (action)
        path += '/' + QByteArray(action);
    return path;
}

void UpstreamsPage::addUpstream()
{
    openDialog(nullptr);
}

void UpstreamsPage::editUpstream()
{
    const int row = m_model->rowOf(m_selected);
    if (row >= 0)
        openDialog(&m_model->upstreamAt(row));
}

void UpstreamsPage::openDialog(const UpstreamView *existing)
{
    if (UpstreamDialog *open = dialog()) {
        open->raise();
        return;
    }
    auto *dialog = new UpstreamDialog(m_admin, existing, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<UpstreamDialog> guard(dialog);
    connect(dialog, &UpstreamDialog::submitted, this, [this, guard](const QJsonObject &body) {
        if (guard)
            submit(guard, body);
    });
    dialog->open();
}

void UpstreamsPage::submit(UpstreamDialog *dialog, const QJsonObject &body)
{
    const bool edit = dialog->isEdit();
    const QString name = dialog->upstreamName();
    const AdminCall call = edit ? AdminCall::put(pathOf(name), compact(body)) : AdminCall::post("/admin/v1/upstreams", compact(body));
    QPointer<UpstreamDialog> guard(dialog);
    m_admin->call(call, this, [this, guard, edit, name](const AdminAnswer &a) {
        if (!a.ok()) {
            const QString message = a.status == 409 ? tr("name: an upstream called %1 already exists").arg(name) : failed(a);
            if (guard)
                guard->showRefusal(message);
            else
                showStatus(tr("Upstream %1 was not saved: %2").arg(name, message), true);
            return;
        }
        if (guard)
            guard->accept();
        showStatus(edit ? tr("Upstream %1 saved; in force now.").arg(name) : tr("Upstream %1 added; in force now.").arg(name), false);
        m_pendingSelection = name; // selected when a snapshot lists it
    });
}

void UpstreamsPage::toggleEnabled()
{
    const int row = m_model->rowOf(m_selected);
    if (row < 0)
        return;
    const QString name = m_selected;
    const bool enable = !m_model->upstreamAt(row).enabled;
    m_admin->call(AdminCall::post(pathOf(name, enable ? "enable" : "disable")), this, [this, name, enable](const AdminAnswer &a) {
        if (!a.ok())
            return showStatus(tr("Upstream %1 was not %2: %3").arg(name, enable ? tr("enabled") : tr("disabled"), failed(a)), true);
        showStatus(enable ? tr("Upstream %1 enabled: it takes requests again.").arg(name)
                          : tr("Upstream %1 disabled: no request goes to it until it is enabled.").arg(name),
                   false);
    });
}

void UpstreamsPage::removeUpstream()
{
    if (m_model->rowOf(m_selected) < 0)
        return;
    const QString name = m_selected;
    if (m_confirmDeletes
        && QMessageBox::question(this, tr("Remove upstream"),
                                 tr("Remove the upstream \"%1\"? Its models go to the other upstreams that serve them, if any.").arg(name))
               != QMessageBox::Yes)
        return;
    m_admin->call(AdminCall::del(pathOf(name)), this, [this, name](const AdminAnswer &a) {
        if (!a.ok())
            return showStatus(tr("Upstream %1 was not removed: %2").arg(name, failed(a)), true);
        m_testResults.remove(name);
        showStatus(tr("Upstream %1 removed.").arg(name), false);
    });
}

void UpstreamsPage::testUpstream()
{
    if (m_model->rowOf(m_selected) < 0 || m_testing.value(m_selected))
        return;
    const QString name = m_selected;
    m_testing.insert(name, true);
    updateButtons();
    updateDetails();
    m_admin->call(AdminCall::post(pathOf(name, "test")), this, [this, name](const AdminAnswer &a) {
        m_testing.remove(name);
        QString result;
        bool good = false;
        if (a.ok()) {
            const QJsonObject o = a.body.toObject();
            result = UpstreamText::testResult(o.value(QLatin1String("ok")).toBool(), o.value(QLatin1String("status")).toInt(),
                                              o.value(QLatin1String("latency_ms")).toInteger(-1), o.value(QLatin1String("message")).toString());
            good = o.value(QLatin1String("ok")).toBool();
            if (!good)
                result = tr("failed: %1").arg(result);
        } else {
            result = tr("failed: %1").arg(failed(a));
        }
        m_testResults.insert(name, result);
        showStatus(tr("Test of %1: %2").arg(name, result), !good);
        updateButtons();
        updateDetails();
    });
}
