#include "MainWindow.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "admin/AdminChannel.h"
#include "charts/LiveRateChart.h"
#include "sessions/SessionsPage.h"
#include "widgets/CounterTile.h"
#include "widgets/GatewayStateHeader.h"
#include "tray/ConsoleTray.h"
#include "tray/DesktopNotifier.h"
#include "widgets/StateBanner.h"
#include "widgets/StopAllButton.h"
#include "widgets/TileGrid.h"
#include "widgets/UpstreamList.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace {
constexpr int RateWindowSeconds = 5;
constexpr int StatusMessageMs = 4000;
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    // Harmless when already registered; lets the app connect the gateway's signal queued.
    qRegisterMetaType<GatewaySnapshot>();

    m_admin = new AdminChannel(this);
    setWindowTitle(QStringLiteral("TokenFuse"));
    resize(1100, 720);

    auto *central = new QWidget(this);
    central->setObjectName(QStringLiteral("consoleCentral"));

    m_header = new GatewayStateHeader(central);
    m_header->setObjectName(QStringLiteral("gatewayHeader"));
    // The emergency brake, on every page.
    m_stopAll = new StopAllButton(central);
    m_stopAll->setObjectName(QStringLiteral("headerStopAllButton"));
    connect(m_stopAll, &StopAllButton::commandRequested, this, &MainWindow::sendCommand);

    m_tray = new ConsoleTray(this);
    connect(m_tray, &ConsoleTray::showConsoleRequested, this, &MainWindow::raiseWindow);
    connect(m_tray, &ConsoleTray::quitRequested, this, &MainWindow::quitRequested);
    connect(m_tray, &ConsoleTray::commandRequested, this, &MainWindow::sendCommand);
    m_notifier = new DesktopNotifier(this);
    m_notifier->setSink([this](const DesktopNotifier::Notification &n) {
        m_tray->showMessage(n.title, n.text, n.kind == DesktopNotifier::Kind::BudgetCap || n.kind == DesktopNotifier::Kind::SessionTripped);
    });

    m_simulatorBanner = new StateBanner(central);
    m_simulatorBanner->setObjectName(QStringLiteral("simulatorBanner"));
    m_simulatorBanner->setMessage(StateBanner::Kind::Warning,
                                  tr("No upstream configured: every model is answered by the built-in simulator. "
                                     "Add an upstream in config.json to reach a real provider."));
    m_simulatorBanner->setVisible(false);

    m_alertBanner = new StateBanner(central);
    m_alertBanner->setObjectName(QStringLiteral("budgetAlertBanner"));
    m_alertBanner->setVisible(false);

    m_tripBanner = new StateBanner(central);
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

    m_sessions = new SessionsPage(central);
    connect(m_sessions, &SessionsPage::commandRequested, this, &MainWindow::sendCommand);

    m_pages = new QStackedWidget(central);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_pages->addWidget(buildOverview());
    m_pages->addWidget(m_sessions);

    // A plain list rather than tabs: the console grows to more pages than a tab bar holds well.
    m_pageList = new QListWidget(central);
    m_pageList->setObjectName(QStringLiteral("pageList"));
    m_pageList->addItems({tr("Overview"), tr("Sessions")});
    m_pageList->setFrameShape(QFrame::NoFrame);
    m_pageList->setFocusPolicy(Qt::NoFocus);
    m_pageList->setSpacing(2);
    m_pageList->setFixedWidth(120);
    // Roomy rows with rounded highlights; the sheet stays on the list (it has no child widgets).
    m_pageList->setStyleSheet(QStringLiteral("QListWidget::item { padding: 7px 10px; border-radius: 6px; }"
                                             "QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }"));
    m_pageList->viewport()->setAutoFillBackground(false);
    ConsolePalette::scaleFont(m_pageList, 1.0, QFont::DemiBold);
    connect(m_pageList, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_pageList->setCurrentRow(0);

    auto *body = new QHBoxLayout;
    body->setSpacing(12);
    body->addWidget(m_pageList);
    body->addWidget(m_pages, 1);

    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(18, 14, 18, 12);
    layout->setSpacing(12);
    auto *top = new QHBoxLayout;
    top->setSpacing(12);
    top->addWidget(m_header, 1);
    top->addWidget(m_stopAll, 0, Qt::AlignVCenter);
    layout->addLayout(top);
    layout->addWidget(m_simulatorBanner);
    layout->addWidget(m_alertBanner);
    layout->addWidget(m_tripBanner);
    layout->addLayout(body, 1);
    setCentralWidget(central);

    m_updated = new QLabel(tr("No data from the gateway yet"), this);
    m_updated->setObjectName(QStringLiteral("lastUpdateLabel"));
    ConsolePalette::makeMuted(m_updated);
    auto *version = new QLabel(QStringLiteral("TokenFuse %1").arg(QStringLiteral(TOKENFUSE_VERSION)), this);
    ConsolePalette::makeMuted(version);
    m_updated->setContentsMargins(12, 0, 0, 0);
    version->setContentsMargins(0, 0, 12, 0);
    statusBar()->addWidget(m_updated);
    statusBar()->addPermanentWidget(version);
    statusBar()->setSizeGripEnabled(false);
    connect(m_header, &GatewayStateHeader::baseUrlCopied, this, [this](const QString &url) {
        statusBar()->showMessage(tr("Copied %1 to the clipboard").arg(url), StatusMessageMs);
    });

}

QWidget *MainWindow::buildOverview()
{
    auto *page = new QWidget;
    page->setObjectName(QStringLiteral("overviewPage"));
    m_chart = new LiveRateChart(page);
    m_chart->setHistory(&m_rates);
    m_upstreams = new UpstreamList(page);
    m_upstreams->setFixedWidth(250);

    auto *bottom = new QHBoxLayout;
    bottom->setSpacing(12);
    bottom->addWidget(m_chart, 1);
    bottom->addWidget(m_upstreams);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(buildTiles(page));
    layout->addLayout(bottom, 1);
    return page;
}

void MainWindow::showPage(Page page)
{
    m_pageList->setCurrentRow(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_pages->currentIndex());
}

QWidget *MainWindow::buildTiles(QWidget *parent)
{
    auto *tiles = new TileGrid(parent);
    tiles->setObjectName(QStringLiteral("counterTiles"));
    m_requests = new CounterTile(QStringLiteral("requests"), tr("Requests"), tiles);
    m_inFlight = new CounterTile(QStringLiteral("inFlight"), tr("In flight"), tiles);
    m_tokens = new CounterTile(QStringLiteral("tokens"), tr("Tokens"), tiles);
    m_cost = new CounterTile(QStringLiteral("cost"), tr("Cost"), tiles);
    m_failures = new CounterTile(QStringLiteral("failures"), tr("Failures"), tiles);
    m_latency = new CounterTile(QStringLiteral("latency"), tr("Latency p50"), tiles);
    for (CounterTile *tile : {m_requests, m_inFlight, m_tokens, m_cost, m_failures, m_latency})
        tiles->addTile(tile);

    // Start from what an idle gateway would show, so the layout does not jump on the first snapshot.
    updateTiles(GatewaySnapshot{});
    return tiles;
}

void MainWindow::setCurrency(const QString &currencyCode)
{
    m_currency = currencyCode;
    m_tray->setCurrency(currencyCode);
    updateCost();
    m_sessions->setCurrency(currencyCode);
}

void MainWindow::applySnapshot(const GatewaySnapshot &snapshot)
{
    // A store that cannot write shows as a failure in the header until it writes again.
    m_header->setState(snapshot.storeProblem.isEmpty() ? snapshot.state : GatewaySnapshot::State::Failed, snapshot.listenAddress,
                       snapshot.storeProblem.isEmpty() ? snapshot.error : tr("requests are refused, the usage store cannot write: %1").arg(snapshot.storeProblem));
    if (m_simulatorBanner->isVisibleTo(this) != snapshot.simulatorOnly)
        m_simulatorBanner->setVisible(snapshot.simulatorOnly);
    m_upstreams->setUpstreams(snapshot.upstreams, snapshot.simulatorOnly);

    // A gateway that does not stamp its snapshots still gets a moving chart.
    const qint64 takenAt = snapshot.takenAtMs > 0 ? snapshot.takenAtMs : QDateTime::currentMSecsSinceEpoch();
    m_rates.addSample(takenAt, snapshot.requestsDelta, snapshot.tokensDelta);
    updateTiles(snapshot);
    m_sessions->applySnapshot(snapshot);
    if (snapshot.stoppedAll != m_stopAll->stoppedAll())
        m_stopAll->setStoppedAll(snapshot.stoppedAll);
    m_tray->applySnapshot(snapshot);
    noticeKills(snapshot);

    m_updated->setText(tr("Updated %1").arg(QDateTime::fromMSecsSinceEpoch(takenAt).toString(QStringLiteral("HH:mm:ss"))));
}

void MainWindow::updateTiles(const GatewaySnapshot &snapshot)
{
    m_requests->setValue(ConsoleFormat::count(snapshot.requestsTotal));
    m_requests->setDetail(ConsoleFormat::rate(m_rates.requestsPerSecond(RateWindowSeconds), tr("req/s")));

    m_inFlight->setValue(ConsoleFormat::count(snapshot.inFlight));
    m_inFlight->setDetail(snapshot.openConnections == 1 ? tr("1 open connection")
                                                        : tr("%1 open connections").arg(ConsoleFormat::count(snapshot.openConnections)));

    m_tokens->setValue(ConsoleFormat::tokens(snapshot.promptTokens + snapshot.completionTokens));
    m_tokens->setDetail(tr("%1 in · %2 out")
                            .arg(ConsoleFormat::tokens(snapshot.promptTokens), ConsoleFormat::tokens(snapshot.completionTokens)));
    m_tokens->setToolTip(tr("%1 prompt tokens in, %2 completion tokens out")
                             .arg(ConsoleFormat::count(snapshot.promptTokens), ConsoleFormat::count(snapshot.completionTokens)));

    m_costMicros = snapshot.costMicros;
    m_requestsTotal = snapshot.requestsTotal;
    updateCost();

    m_failures->setValue(ConsoleFormat::count(snapshot.requestsFailed));
    m_failures->setDetail(snapshot.requestsFailed == 0
                              ? tr("none so far")
                              : tr("%1 of requests").arg(ConsoleFormat::percent(snapshot.requestsFailed, snapshot.requestsTotal)));
    m_failures->setAlert(snapshot.requestsFailed > 0);

    // Percentiles cover only the requests that ended since the previous snapshot; between
    // requests keep showing the last known figures rather than flickering to a dash.
    if (snapshot.latencyP50Ms >= 0)
        m_lastP50Ms = snapshot.latencyP50Ms;
    if (snapshot.latencyP99Ms >= 0)
        m_lastP99Ms = snapshot.latencyP99Ms;
    m_latency->setValue(ConsoleFormat::duration(m_lastP50Ms));
    m_latency->setDetail(m_lastP99Ms < 0 ? tr("p99 —, no request yet") : tr("p99 %1").arg(ConsoleFormat::duration(m_lastP99Ms)));
}

void MainWindow::updateCost()
{
    if (!m_cost)
        return;
    m_cost->setValue(ConsoleFormat::money(m_costMicros, m_currency));
    m_cost->setDetail(m_requestsTotal > 0 ? tr("%1 per request").arg(ConsoleFormat::money(m_costMicros / m_requestsTotal, m_currency))
                                          : tr("since start"));
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
        statusBar()->showMessage(result.message, StatusMessageMs);
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

void MainWindow::setConfirmBulkActions(bool confirm)
{
    m_sessions->setConfirmBulkActions(confirm);
    m_stopAll->setConfirm(confirm);
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
