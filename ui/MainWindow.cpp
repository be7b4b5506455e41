#include "MainWindow.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "admin/AdminChannel.h"
#include "budgets/BudgetsPage.h"
#include "connect/ConnectPage.h"
#include "history/HistoryPage.h"
#include "overview/OverviewPage.h"
#include "requests/RequestsPage.h"
#include "sessions/SessionsPage.h"
#include "tray/ConsoleTray.h"
#include "tray/DesktopNotifier.h"
#include "upstreams/UpstreamText.h"
#include "upstreams/UpstreamsPage.h"
#include "widgets/FigureLabel.h"
#include "widgets/GatewayStateHeader.h"
#include "widgets/StateBanner.h"
#include "widgets/StopAllButton.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace {
constexpr int StatusMessageMs = 4000;
const char *const PageKeys[MainWindow::PageCount] = {"overview", "sessions", "budgets", "history", "requests", "connect", "upstreams"};
} // namespace

QString MainWindow::pageKey(Page page)
{
    return QString::fromLatin1(PageKeys[int(page)]);
}

std::optional<MainWindow::Page> MainWindow::pageFromKey(const QString &key)
{
    for (int i = 0; i < PageCount; ++i)
        if (key.compare(QLatin1String(PageKeys[i]), Qt::CaseInsensitive) == 0)
            return Page(i);
    return std::nullopt;
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    // Harmless when already registered; lets the app connect the gateway's signal queued.
    qRegisterMetaType<GatewaySnapshot>();
    m_admin = new AdminChannel(this);

    setWindowTitle(QStringLiteral("TokenFuse"));
    resize(1180, 780);

    auto *central = new QWidget(this);
    central->setObjectName(QStringLiteral("consoleCentral"));

    m_header = new GatewayStateHeader(central);
    m_header->setObjectName(QStringLiteral("gatewayHeader"));
    // The emergency brake, above every page.
    m_stopAll = new StopAllButton(central);
    m_stopAll->setObjectName(QStringLiteral("headerStopAllButton"));
    connect(m_stopAll, &StopAllButton::commandRequested, this, &MainWindow::sendCommand);

    m_tray = new ConsoleTray(this);
    connect(m_tray, &ConsoleTray::showConsoleRequested, this, &MainWindow::raiseWindow);
    connect(m_tray, &ConsoleTray::quitRequested, this, &MainWindow::quitRequested);
    connect(m_tray, &ConsoleTray::commandRequested, this, &MainWindow::sendCommand);
    m_notifier = new DesktopNotifier(this);
    m_notifier->setSink([this](const DesktopNotifier::Notification &n) {
        m_tray->showMessage(n.title, n.text,
                            n.kind == DesktopNotifier::Kind::BudgetCap || n.kind == DesktopNotifier::Kind::SessionTripped
                                || n.kind == DesktopNotifier::Kind::UpstreamBreaker);
    });

    m_overview = new OverviewPage(central);
    m_overview->setObjectName(QStringLiteral("overviewPage"));
    m_sessions = new SessionsPage(central);
    m_budgets = new BudgetsPage(m_admin, central);
    m_history = new HistoryPage(central);
    m_requests = new RequestsPage(central);
    m_connect = new ConnectPage(m_admin, central);
    m_upstreams = new UpstreamsPage(m_admin, central);
    connect(m_sessions, &SessionsPage::commandRequested, this, &MainWindow::sendCommand);
    connect(m_sessions, &SessionsPage::requestsWanted, this, [this](const QString &session) {
        showPage(Page::Requests);
        m_requests->showSession(session);
    });
    connect(m_sessions, &SessionsPage::capWanted, this, [this](const QString &session) {
        showPage(Page::Budgets);
        m_budgets->addRuleFor(BudgetScope::Session, session);
    });

    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));
    for (QWidget *page : std::initializer_list<QWidget *>{m_overview, m_sessions, m_budgets, m_history, m_requests, m_connect, m_upstreams})
        m_pages->addWidget(page);

    auto *body = new QHBoxLayout;
    body->setSpacing(12);
    body->addWidget(buildPageList(central));
    body->addWidget(m_pages, 1);

    auto *top = new QHBoxLayout;
    top->setSpacing(12);
    top->addWidget(m_header, 1);
    top->addWidget(m_stopAll, 0, Qt::AlignVCenter);

    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(18, 14, 18, 12);
    layout->setSpacing(12);
    layout->addLayout(top);
    layout->addWidget(buildBanners(central));
    layout->addLayout(body, 1);
    setCentralWidget(central);

    m_updated = new FigureLabel(tr("No data from the gateway yet"), this);
    m_updated->setObjectName(QStringLiteral("lastUpdateLabel"));
    ConsolePalette::makeMuted(m_updated);
    auto *version = new QLabel(QStringLiteral("TokenFuse %1").arg(QStringLiteral(TOKENFUSE_VERSION)), this);
    ConsolePalette::makeMuted(version);
    m_updated->setContentsMargins(12, 0, 0, 0);
    version->setContentsMargins(0, 0, 12, 0);
    statusBar()->addWidget(m_updated);
    statusBar()->addPermanentWidget(version);
    statusBar()->setSizeGripEnabled(false);
    connect(m_budgets, &BudgetsPage::changed, this, &MainWindow::showStatus);
    connect(m_upstreams, &UpstreamsPage::changed, this, [this](const QString &text) {
        if (currentPage() != Page::Upstreams) // the page has its own status line
            showStatus(text);
    });
    connect(m_header, &GatewayStateHeader::baseUrlCopied, this,
            [this](const QString &url) { showStatus(tr("Copied %1 to the clipboard").arg(url)); });

    // Ctrl+1 .. Ctrl+7 pick the pages, as the list's order gives them.
    for (int i = 0; i < PageCount; ++i) {
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this);
        connect(shortcut, &QShortcut::activated, this, [this, i] { showPage(Page(i)); });
    }
}

QWidget *MainWindow::buildBanners(QWidget *parent)
{
    auto *banners = new QWidget(parent);
    m_simulatorBanner = new StateBanner(banners);
    m_simulatorBanner->setObjectName(QStringLiteral("simulatorBanner"));
    m_simulatorBanner->setMessage(StateBanner::Kind::Warning,
                                  tr("No upstream configured: every model is answered by the built-in simulator. "
                                     "Add an upstream to reach a real provider."));
    m_simulatorBanner->setVisible(false);
    // A first run: the agents' settings are one click away.
    QPushButton *connectAgents = m_simulatorBanner->addButton(tr("Connect an agent"));
    connectAgents->setObjectName(QStringLiteral("connectAgentButton"));
    connect(connectAgents, &QPushButton::clicked, this, [this] { showPage(Page::Connect); });
    QPushButton *addProvider = m_simulatorBanner->addButton(tr("Add a provider"));
    addProvider->setObjectName(QStringLiteral("addProviderButton"));
    connect(addProvider, &QPushButton::clicked, this, [this] { showPage(Page::Upstreams); });

    m_alertBanner = new StateBanner(banners);
    m_alertBanner->setObjectName(QStringLiteral("budgetAlertBanner"));
    m_alertBanner->setVisible(false);
    QPushButton *openBudgets = m_alertBanner->addButton(tr("Budgets"));
    connect(openBudgets, &QPushButton::clicked, this, [this] { showPage(Page::Budgets); });
    QPushButton *closeAlert = m_alertBanner->addButton(tr("Dismiss"));
    connect(closeAlert, &QPushButton::clicked, m_alertBanner, &QWidget::hide);

    m_tripBanner = new StateBanner(banners);
    m_tripBanner->setObjectName(QStringLiteral("sessionTripBanner"));
    m_tripBanner->setVisible(false);
    QPushButton *showTripped = m_tripBanner->addButton(tr("Show session"));
    showTripped->setObjectName(QStringLiteral("showTrippedSessionButton"));
    connect(showTripped, &QPushButton::clicked, this, [this] {
        showPage(Page::Sessions);
        m_sessions->selectSession(m_trippedSession);
    });
    QPushButton *closeTrip = m_tripBanner->addButton(tr("Dismiss"));
    connect(closeTrip, &QPushButton::clicked, m_tripBanner, &QWidget::hide);

    auto *layout = new QVBoxLayout(banners);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_simulatorBanner);
    layout->addWidget(m_alertBanner);
    layout->addWidget(m_tripBanner);
    return banners;
}

QListWidget *MainWindow::buildPageList(QWidget *parent)
{
    // A plain list rather than tabs: the console has more pages than a tab bar holds well.
    m_pageList = new QListWidget(parent);
    m_pageList->setObjectName(QStringLiteral("pageList"));
    m_pageList->addItems({tr("Overview"), tr("Sessions"), tr("Budgets"), tr("History"), tr("Requests"), tr("Connect"), tr("Upstreams")});
    for (int i = 0; i < PageCount; ++i)
        m_pageList->item(i)->setToolTip(tr("Ctrl+%1").arg(i + 1));
    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setSpacing(2);
    m_pageList->setFixedWidth(124);
    // Roomy rows with rounded highlights; the sheet stays on the list (it has no child widgets).
    m_pageList->setStyleSheet(QStringLiteral("QListWidget::item { padding: 7px 10px; border-radius: 6px; }"
                                             "QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }"));
    m_pageList->viewport()->setAutoFillBackground(false);
    ConsolePalette::scaleFont(m_pageList, 1.0, QFont::DemiBold);
    connect(m_pageList, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_pageList->setCurrentRow(0);
    return m_pageList;
}

void MainWindow::showPage(Page page)
{
    m_pageList->setCurrentRow(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_pages->currentIndex());
}

void MainWindow::setCurrency(const QString &currencyCode)
{
    m_currency = currencyCode;
    m_tray->setCurrency(currencyCode);
    m_overview->setCurrency(currencyCode);
    m_sessions->setCurrency(currencyCode);
    m_budgets->setCurrency(currencyCode);
    m_history->setCurrency(currencyCode);
    m_requests->setCurrency(currencyCode);
}

void MainWindow::gatewayStarted(const QString &, const QString &databasePath)
{
    m_history->setDatabasePath(databasePath);
    m_budgets->refresh();
}

void MainWindow::showStatus(const QString &text)
{
    statusBar()->showMessage(text, StatusMessageMs);
}

void MainWindow::applySnapshot(const GatewaySnapshot &snapshot)
{
    // A store that cannot write shows as a failure in the header until it writes again.
    m_header->setState(snapshot.storeProblem.isEmpty() ? snapshot.state : GatewaySnapshot::State::Failed, snapshot.listenAddress,
                       snapshot.storeProblem.isEmpty() ? snapshot.error : tr("requests are refused, the usage store cannot write: %1").arg(snapshot.storeProblem));
    if (m_simulatorBanner->isVisibleTo(this) != snapshot.simulatorOnly)
        m_simulatorBanner->setVisible(snapshot.simulatorOnly);

    // Costs show in the currency of today's cap, when there is one.
    if (!snapshot.currency.isEmpty() && snapshot.currency != m_currency)
        setCurrency(snapshot.currency);
    m_overview->applySnapshot(snapshot);
    m_sessions->applySnapshot(snapshot);
    m_budgets->applySnapshot(snapshot);
    m_history->applySnapshot(snapshot);
    m_requests->applySnapshot(snapshot);
    m_connect->applySnapshot(snapshot);
    m_upstreams->applySnapshot(snapshot);
    m_upstreamViews = snapshot.upstreamViews;
    if (snapshot.stoppedAll != m_stopAll->stoppedAll())
        m_stopAll->setStoppedAll(snapshot.stoppedAll);
    m_tray->applySnapshot(snapshot);
    noticeKills(snapshot);

    const qint64 takenAt = snapshot.takenAtMs > 0 ? snapshot.takenAtMs : QDateTime::currentMSecsSinceEpoch();
    m_updated->setFigure(tr("Updated %1").arg(QDateTime::fromMSecsSinceEpoch(takenAt).toString(QStringLiteral("HH:mm:ss"))));
}

void MainWindow::showBudgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message)
{
    m_notifier->budgetAlert(rule, subject, fraction, message);
    const bool capReached = fraction >= 1.0;
    m_alertBanner->setMessage(capReached ? StateBanner::Kind::Error : StateBanner::Kind::Warning, message);
    m_alertBanner->setVisible(true);
}

void MainWindow::showCommandResult(const SessionCommand &command, const SessionCommandResult &result)
{
    m_sessions->showCommandResult(command, result);
    // The Sessions page has its own status line; elsewhere the window's says it.
    if (currentPage() != Page::Sessions)
        showStatus(result.message);
}

void MainWindow::showSessionTrip(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly)
{
    if (sessions.isEmpty())
        return;
    m_notifier->sessionTripped(sessions, signal, evidence, warnOnly);
    m_trippedSession = sessions.first();
    const QString who = sessions.size() == 1 ? tr("Session %1").arg(sessions.first())
                                             : tr("Sessions %1").arg(sessions.join(QStringLiteral(", ")));
    const QString what = warnOnly ? tr("%1 looks stuck in a loop (%2), still running: %3").arg(who, signal, evidence)
                                  : tr("%1 stopped by the loop detector (%2): %3").arg(who, signal, evidence);
    m_tripBanner->setMessage(warnOnly ? StateBanner::Kind::Warning : StateBanner::Kind::Error, what);
    m_tripBanner->setVisible(true);
}

void MainWindow::showUpstreamBreaker(const UpstreamTransitionView &transition)
{
    if (!transition.model.isEmpty() || transition.to != QLatin1String("open") || transition.from == QLatin1String("half_open"))
        return;
    const QStringList takers = UpstreamText::takers(m_upstreamViews, transition.upstream);
    m_notifier->upstreamDown(transition.upstream, transition.reason, takers);
}

void MainWindow::setConfirmBulkActions(bool confirm)
{
    m_sessions->setConfirmBulkActions(confirm);
    m_stopAll->setConfirm(confirm);
    m_budgets->setConfirmDeletes(confirm);
    m_upstreams->setConfirmDeletes(confirm);
}

void MainWindow::sendCommand(const SessionCommand &command)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (command.action == SessionCommand::Action::KillSession)
        m_ownKills.insert(command.target, now);
    else if (command.action == SessionCommand::Action::KillTenant)
        m_ownKills.insert(QStringLiteral("tenant:") + command.target, now);
    else if (command.action == SessionCommand::Action::StopAll)
        m_ownKills.insert(QStringLiteral("*"), now);
    Q_EMIT commandRequested(command);
}

void MainWindow::noticeKills(const GatewaySnapshot &snapshot)
{
    // A kill asked for here shows in a snapshot within a second or two; later ones are someone else's.
    constexpr qint64 OwnKillMs = 10 * 1000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto own = [&](const QString &key) { return now - m_ownKills.value(key, 0) < OwnKillMs; };
    QSet<QString> killed;
    for (const SessionView &v : snapshot.sessions) {
        if (v.state != SessionView::State::Killed)
            continue;
        killed.insert(v.id);
        // Stop-all is one notification, not one per session.
        if (m_seenSessions && v.blockedBy != SessionView::BlockedBy::All && !m_killedSeen.contains(v.id) && !own(v.id)
            && !own(QStringLiteral("tenant:") + v.tenant))
            m_notifier->sessionKilled(v.id, v.reason);
    }
    if (m_seenSessions && snapshot.stoppedAll && !m_stoppedAllSeen && !own(QStringLiteral("*")))
        m_notifier->notify(DesktopNotifier::Kind::SessionKilled, QStringLiteral("*"), tr("Stop all is on"),
                           tr("Every request is refused until Resume all."), now);
    m_stoppedAllSeen = snapshot.stoppedAll;
    m_killedSeen = std::move(killed);
    m_seenSessions = m_seenSessions || snapshot.state == GatewaySnapshot::State::Running;
    for (auto it = m_ownKills.begin(); it != m_ownKills.end();)
        it = now - it.value() >= OwnKillMs ? m_ownKills.erase(it) : std::next(it);
}

void MainWindow::raiseWindow()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_keepRunningInTray || !m_tray->isAvailable()) {
        QMainWindow::closeEvent(event);
        return;
    }
    event->ignore();
    hide();
    if (!m_toldAboutTray) {
        m_toldAboutTray = true;
        m_tray->showMessage(tr("TokenFuse keeps running"),
                            tr("The gateway goes on serving your agents. Open the console from the tray icon; Quit is in its menu."),
                            false);
    }
}
