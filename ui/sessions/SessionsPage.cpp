#include "SessionsPage.h"

#include "ConsolePalette.h"
#include "SessionActionDelegate.h"
#include "SessionDetails.h"
#include "SessionFilter.h"
#include "SessionsModel.h"
#include "widgets/StopAllButton.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QVBoxLayout>

#include <algorithm>

namespace {

struct ColumnWidth
{
    int column;
    int width;
};

// Fixed starting widths: sizing columns to their contents would measure every row four times a
// second. The last prompt takes what is left.
constexpr ColumnWidth DefaultWidths[] = {
    {SessionsModel::Action, 72},  {SessionsModel::Session, 150},  {SessionsModel::Tenant, 80},
    {SessionsModel::State, 76},   {SessionsModel::Cost, 70},      {SessionsModel::TokensPerMinute, 78},
    {SessionsModel::Requests, 70}, {SessionsModel::InFlight, 66}, {SessionsModel::LastSeen, 118},
};

} // namespace

SessionsPage::SessionsPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new SessionsModel(this))
    , m_filter(new SessionFilter(this))
    , m_table(new QTableView(this))
    , m_details(new SessionDetails(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("sessionsPage"));
    qRegisterMetaType<SessionCommand>();
    qRegisterMetaType<SessionCommandResult>();
    m_filter->setSourceModel(m_model);

    m_table->setObjectName(QStringLiteral("sessionsTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SessionsModel::LastSeen, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(false); // the state tint is the row colour that means something
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 12);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setHighlightSections(false);
    for (const ColumnWidth &w : DefaultWidths)
        m_table->setColumnWidth(w.column, w.width);
    header->setSectionResizeMode(SessionsModel::LastPrompt, QHeaderView::Stretch);
    header->setSectionResizeMode(SessionsModel::Action, QHeaderView::Fixed);
    header->moveSection(SessionsModel::Action, 0); // the button first, where a hurried user looks

    auto *actions = new SessionActionDelegate(m_table);
    m_table->setItemDelegateForColumn(SessionsModel::Action, actions);
    connect(actions, &SessionActionDelegate::clicked, this, &SessionsPage::rowButtonClicked);
    connect(m_table, &QWidget::customContextMenuRequested, this, &SessionsPage::showContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SessionsPage::selectionChanged);
    m_table->viewport()->installEventFilter(this);
    // A double-click opens the session's requests; Enter does the same from the keyboard.
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (index.isValid() && index.column() != SessionsModel::Action)
            Q_EMIT requestsWanted(index.data(SessionsModel::SessionIdRole).toString());
    });

    m_status->setObjectName(QStringLiteral("sessionStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::makeMuted(m_status);

    // The details under the table, so the table gets the window's full width for its columns.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("sessionsSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    m_table->setMinimumHeight(120);
    split->setSizes({280, 230});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(buildToolbar());
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    updateCount();
}

QWidget *SessionsPage::buildToolbar()
{
    auto *bar = new QWidget(this);
    m_filterText = new QLineEdit(bar);
    m_filterText->setObjectName(QStringLiteral("sessionFilter"));
    m_filterText->setPlaceholderText(tr("Filter by session or tenant"));
    m_filterText->setClearButtonEnabled(true);
    m_filterText->setMaximumWidth(280);
    connect(m_filterText, &QLineEdit::textChanged, m_filter, &SessionFilter::setText);
    connect(m_filterText, &QLineEdit::textChanged, this, &SessionsPage::updateCount);

    m_stateFilter = new QComboBox(bar);
    m_stateFilter->setObjectName(QStringLiteral("sessionStateFilter"));
    m_stateFilter->addItem(tr("All states"), -1);
    m_stateFilter->addItem(tr("Active"), int(SessionView::State::Active));
    m_stateFilter->addItem(tr("Throttled"), int(SessionView::State::Throttled));
    m_stateFilter->addItem(tr("Tripped"), int(SessionView::State::Tripped));
    m_stateFilter->addItem(tr("Killed"), int(SessionView::State::Killed));
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_filter->setState(m_stateFilter->itemData(i).toInt());
        updateCount();
    });

    m_count = new QLabel(bar);
    m_count->setObjectName(QStringLiteral("sessionCount"));
    ConsolePalette::makeMuted(m_count);

    m_requestsButton = new QPushButton(tr("Requests"), bar);
    m_requestsButton->setObjectName(QStringLiteral("sessionRequestsButton"));
    m_requestsButton->setToolTip(tr("Show the selected session's recent requests (or double-click its row)"));
    m_requestsButton->setEnabled(false);
    connect(m_requestsButton, &QPushButton::clicked, this, [this] { Q_EMIT requestsWanted(m_selectedId); });
    m_capButton = new QPushButton(tr("Set cap…"), bar);
    m_capButton->setObjectName(QStringLiteral("sessionCapButton"));
    m_capButton->setToolTip(tr("Add a budget for the selected session"));
    m_capButton->setEnabled(false);
    connect(m_capButton, &QPushButton::clicked, this, [this] { Q_EMIT capWanted(m_selectedId); });

    m_stopAll = new StopAllButton(bar);
    m_stopAll->setObjectName(QStringLiteral("stopAllButton"));
    connect(m_stopAll, &StopAllButton::commandRequested, this, &SessionsPage::commandRequested);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_filterText, 1);
    layout->addWidget(m_stateFilter);
    layout->addWidget(m_count);
    layout->addStretch(1);
    layout->addWidget(m_requestsButton);
    layout->addWidget(m_capButton);
    layout->addWidget(m_stopAll);
    return bar;
}

bool SessionsPage::eventFilter(QObject *watched, QEvent *event)
{
    // Rows hold still under the pointer: re-sorting four times a second could slide another
    // session under a Kill button between aiming and clicking. Leaving the table sorts again.
    if (watched == m_table->viewport()) {
        if (event->type() == QEvent::Enter)
            m_filter->setDynamicSortFilter(false);
        else if (event->type() == QEvent::Leave)
            m_filter->setDynamicSortFilter(true);
    }
    return QWidget::eventFilter(watched, event);
}

void SessionsPage::setCurrency(const QString &currencyCode)
{
    m_model->setCurrency(currencyCode);
    m_details->setCurrency(currencyCode);
    updateDetails();
}

void SessionsPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    // A selected session that leaves takes the selection with it; left alone, the view would move
    // it to a neighbour and the details would show some other session unasked.
    if (!m_selectedId.isEmpty()
        && std::none_of(snapshot.sessions.cbegin(), snapshot.sessions.cend(), [this](const SessionView &s) { return s.id == m_selectedId; }))
        m_table->selectionModel()->clear();
    m_model->setSessions(snapshot.sessions);
    m_sessionsKnown = snapshot.sessionsKnown;
    if (snapshot.stoppedAll != m_stopAll->stoppedAll())
        m_stopAll->setStoppedAll(snapshot.stoppedAll);
    updateCount();
    updateDetails();
}

void SessionsPage::showCommandResult(const SessionCommand &, const SessionCommandResult &result)
{
    const QString time = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
    m_status->setText(result.ok ? QStringLiteral("%1  %2").arg(time, result.message)
                                : tr("%1  Not done: %2").arg(time, result.message));
}

bool SessionsPage::selectSession(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return false;
    QModelIndex proxy = m_filter->mapFromSource(m_model->index(row, SessionsModel::Session));
    if (!proxy.isValid()) {
        m_filterText->clear();
        m_stateFilter->setCurrentIndex(0);
        proxy = m_filter->mapFromSource(m_model->index(row, SessionsModel::Session));
    }
    m_table->selectionModel()->setCurrentIndex(proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(proxy);
    return true;
}

// Commands carry no reason: the gateway already records the console as the actor, and a reason
// would only repeat that in every refusal message.
void SessionsPage::rowButtonClicked(const QModelIndex &proxyIndex)
{
    const QString id = proxyIndex.data(SessionsModel::SessionIdRole).toString();
    const auto action = SessionCommand::Action(proxyIndex.data(SessionsModel::ActionRole).toInt());
    switch (action) {
    case SessionCommand::Action::ResumeSession: return Q_EMIT commandRequested(SessionCommand::resumeSession(id));
    case SessionCommand::Action::ResumeTenant:
        return Q_EMIT commandRequested(SessionCommand::resumeTenant(proxyIndex.data(SessionsModel::TenantRole).toString()));
    case SessionCommand::Action::ResumeAll: return Q_EMIT commandRequested(SessionCommand::resumeAll());
    default: return Q_EMIT commandRequested(SessionCommand::killSession(id));
    }
}

void SessionsPage::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    if (!index.isValid())
        return;
    const QString id = index.data(SessionsModel::SessionIdRole).toString();
    const QString tenant = index.data(SessionsModel::TenantRole).toString();
    const auto action = SessionCommand::Action(index.data(SessionsModel::ActionRole).toInt());

    QMenu menu(this);
    menu.setObjectName(QStringLiteral("sessionMenu"));
    if (action == SessionCommand::Action::ResumeSession)
        menu.addAction(tr("Resume session %1").arg(id), this, [this, id] { Q_EMIT commandRequested(SessionCommand::resumeSession(id)); });
    else if (action == SessionCommand::Action::ResumeAll)
        menu.addAction(tr("Resume all"), this, [this] { Q_EMIT commandRequested(SessionCommand::resumeAll()); });
    else if (action == SessionCommand::Action::ResumeTenant)
        menu.addAction(tr("Resume tenant %1").arg(tenant), this, [this, tenant] { Q_EMIT commandRequested(SessionCommand::resumeTenant(tenant)); });
    else
        menu.addAction(tr("Kill session %1").arg(id), this,
                       [this, id] { Q_EMIT commandRequested(SessionCommand::killSession(id)); });
    if (!tenant.isEmpty()) {
        menu.addSeparator();
        menu.addAction(tr("Kill tenant %1").arg(tenant), this, [this, tenant] {
            if (confirm(tr("Kill tenant %1?").arg(tenant),
                        tr("Every session of tenant %1 is blocked and its requests in flight end, until you resume the tenant.").arg(tenant)))
                Q_EMIT commandRequested(SessionCommand::killTenant(tenant));
        });
        menu.addAction(tr("Resume tenant %1").arg(tenant), this,
                       [this, tenant] { Q_EMIT commandRequested(SessionCommand::resumeTenant(tenant)); });
    }
    menu.addSeparator();
    menu.addAction(tr("Show its requests"), this, [this, id] { Q_EMIT requestsWanted(id); });
    menu.addAction(tr("Set a cap for this session…"), this, [this, id] { Q_EMIT capWanted(id); });
    menu.addSeparator();
    menu.addAction(tr("Copy session id"), this, [id] { QApplication::clipboard()->setText(id); });
    menu.exec(m_table->viewport()->mapToGlobal(position));
}

void SessionsPage::setConfirmBulkActions(bool confirm)
{
    m_confirmBulk = confirm;
    m_stopAll->setConfirm(confirm);
}

bool SessionsPage::confirm(const QString &title, const QString &text)
{
    if (!m_confirmBulk)
        return true;
    return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes;
}

void SessionsPage::selectionChanged()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_selectedId = rows.isEmpty() ? QString() : rows.first().data(SessionsModel::SessionIdRole).toString();
    m_requestsButton->setEnabled(!m_selectedId.isEmpty());
    m_capButton->setEnabled(!m_selectedId.isEmpty());
    updateDetails();
}

void SessionsPage::updateDetails()
{
    const int row = m_selectedId.isEmpty() ? -1 : m_model->rowOf(m_selectedId);
    if (row < 0)
        m_selectedId.clear(); // it left the snapshot, and with it the selection
    m_details->showSession(row < 0 ? nullptr : &m_model->sessionAt(row));
}

void SessionsPage::updateCount()
{
    const int shown = m_filter->rowCount();
    const int known = qMax(m_sessionsKnown, m_model->rowCount());
    if (known == 0)
        m_count->setText(tr("No sessions yet"));
    else if (shown == known)
        m_count->setText(known == 1 ? tr("1 session") : tr("%1 sessions").arg(known));
    else
        m_count->setText(tr("%1 of %2 sessions").arg(shown).arg(known));
}
