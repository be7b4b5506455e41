#pragma once

#include "core/GatewaySnapshot.h"
#include "session/SessionCommand.h"

#include <QHash>
#include <QMainWindow>
#include <QSet>

#include <optional>

class AdminChannel;
class BudgetsPage;
class ConnectPage;
class ConsoleTray;
class DesktopNotifier;
class GatewayStateHeader;
class HistoryPage;
class OverviewPage;
class FigureLabel;
class QLabel;
class QListWidget;
class QStackedWidget;
class RequestsPage;
class SessionsPage;
class StateBanner;
class StopAllButton;
class UpstreamsPage;

// The console's window: shows what the gateway publishes on pages picked from a list on the left
// (Overview, Sessions, Budgets, History, Requests, Connect, Upstreams), under a header with the emergency
// Stop all and banners every page shares; a tray icon and desktop notifications beside it. It
// never calls into the gateway: the composition root connects the gateway's snapshot signal to
// applySnapshot() with a queued connection, so all it ever holds is a copy; commandRequested() to
// the gateway's command slot and the answers back to showCommandResult(); and the pages' admin
// calls through adminChannel().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // The pages, in the order of the list on the left.
    // Upstreams came last so the earlier pages keep their Ctrl+number.
    enum class Page { Overview, Sessions, Budgets, History, Requests, Connect, Upstreams };
    static constexpr int PageCount = 7;
    // "overview", "sessions", ...: for TOKENFUSE_CONSOLE_PAGE and the screenshots' file names.
    static QString pageKey(Page page);
    static std::optional<Page> pageFromKey(const QString &key);

    explicit MainWindow(QWidget *parent = nullptr);

    void showPage(Page page);
    Page currentPage() const;
    OverviewPage *overviewPage() const { return m_overview; }
    SessionsPage *sessionsPage() const { return m_sessions; }
    BudgetsPage *budgetsPage() const { return m_budgets; }
    HistoryPage *historyPage() const { return m_history; }
    RequestsPage *requestsPage() const { return m_requests; }
    ConnectPage *connectPage() const { return m_connect; }
    UpstreamsPage *upstreamsPage() const { return m_upstreams; }
    // The pages' line to the admin API; the composition root connects it to the gateway host.
    AdminChannel *adminChannel() const { return m_admin; }

    // The currency costs are shown in (the snapshot carries micro-units only). Default "USD".
    void setCurrency(const QString &currencyCode);
    // The gateway listens: the History page gets the usage database to read through its own
    // read-only connection, the Budgets page reads the rate limits and keys.
    void gatewayStarted(const QString &listenAddress, const QString &databasePath);

    ConsoleTray *tray() const { return m_tray; }
    DesktopNotifier *notifier() const { return m_notifier; }
    StopAllButton *stopAllButton() const { return m_stopAll; }
    // Closing the window hides it and the gateway keeps running in the tray (Quit is in the tray's
    // menu); only where the desktop has a tray. Otherwise closing the window quits.
    void setKeepRunningInTray(bool keep) { m_keepRunningInTray = keep; }
    bool keepsRunningInTray() const { return m_keepRunningInTray; }
    // Stop all, Kill tenant and deletes ask first unless this is off (tests, screenshots).
    void setConfirmBulkActions(bool confirm);

public slots:
    // Cheap and non-blocking: each page copies what it shows (ring buffers, batched model
    // updates); the charts redraw on their own timers, not here.
    void applySnapshot(const GatewaySnapshot &snapshot);
    // A budget crossed its alert threshold (fraction < 1) or its cap: shown in a banner until the
    // next alert replaces it or the user closes it, and as a desktop notification.
    void showBudgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);
    // A kill switch the gateway carried out (or refused): on the Sessions page's status line.
    void showCommandResult(const SessionCommand &command, const SessionCommandResult &result);
    // The loop detector stopped sessions (or only warns about them): a banner naming them and the
    // evidence, with a button that opens the first one on the Sessions page.
    void showSessionTrip(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly);
    // An upstream's breaker changed: its opening becomes a desktop notification naming the
    // upstreams that take its traffic (from the latest snapshot). Model breakers and re-openings
    // after a failed probe are not news.
    void showUpstreamBreaker(const UpstreamTransitionView &transition);

signals:
    // A kill switch pulled on the Sessions page, the header or the tray, for GatewayHost::command.
    void commandRequested(const SessionCommand &command);
    // The tray's Quit.
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildBanners(QWidget *parent);
    QListWidget *buildPageList(QWidget *parent);
    void sendCommand(const SessionCommand &command);
    // Kills this window did not ask for (the admin API, another console) become notifications.
    void noticeKills(const GatewaySnapshot &snapshot);
    void raiseWindow();
    void showStatus(const QString &text);

    AdminChannel *m_admin = nullptr;
    ConsoleTray *m_tray = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    GatewayStateHeader *m_header = nullptr;
    StopAllButton *m_stopAll = nullptr;
    StateBanner *m_simulatorBanner = nullptr;
    StateBanner *m_alertBanner = nullptr;
    StateBanner *m_tripBanner = nullptr;
    QString m_trippedSession;
    QListWidget *m_pageList = nullptr;
    QStackedWidget *m_pages = nullptr;
    OverviewPage *m_overview = nullptr;
    SessionsPage *m_sessions = nullptr;
    BudgetsPage *m_budgets = nullptr;
    HistoryPage *m_history = nullptr;
    RequestsPage *m_requests = nullptr;
    ConnectPage *m_connect = nullptr;
    UpstreamsPage *m_upstreams = nullptr;
    QList<UpstreamView> m_upstreamViews; // the latest snapshot's, for who takes a fallen upstream's traffic
    FigureLabel *m_updated = nullptr;
    QString m_currency = QStringLiteral("USD");

    bool m_keepRunningInTray = false;
    bool m_toldAboutTray = false;
    bool m_seenSessions = false;           // the first snapshot's kills are old news
    bool m_stoppedAllSeen = false;
    QSet<QString> m_killedSeen;            // sessions shown killed in the latest snapshot
    QHash<QString, qint64> m_ownKills;     // session, "tenant:<id>" or "*" -> when this window asked
};
