#pragma once

#include "charts/RateHistory.h"
#include "core/GatewaySnapshot.h"
#include "session/SessionCommand.h"

#include <QHash>
#include <QMainWindow>
#include <QSet>

class AdminChannel;
class ConsoleTray;
class CounterTile;
class DesktopNotifier;
class StopAllButton;
class GatewayStateHeader;
class LiveRateChart;
class QLabel;
class QListWidget;
class QStackedWidget;
class SessionsPage;
class StateBanner;
class UpstreamList;

// The console's window: shows what the gateway publishes (state, counters, rates, upstreams,
// sessions) on pages picked from a list on the left, under a header and banners every page shares.
// It never calls into the gateway; the composition root connects the gateway's snapshot signal to
// applySnapshot() with a queued connection, so all it ever holds is a copy, and connects
// commandRequested() to the gateway's command slot and its answers back to showCommandResult().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // The pages, in the order of the list on the left.
    enum class Page { Overview, Sessions };

    explicit MainWindow(QWidget *parent = nullptr);

    void showPage(Page page);
    Page currentPage() const;
    SessionsPage *sessionsPage() const { return m_sessions; }
    // The pages' line to the admin API; the composition root connects it to the gateway host.
    AdminChannel *adminChannel() const { return m_admin; }

    // The currency costs are shown in (the snapshot carries micro-units only). Default "USD".
    void setCurrency(const QString &currencyCode);

    ConsoleTray *tray() const { return m_tray; }
    DesktopNotifier *notifier() const { return m_notifier; }
    StopAllButton *stopAllButton() const { return m_stopAll; }
    // Closing the window hides it and the gateway keeps running in the tray (Quit is in the tray's
    // menu); only where the desktop has a tray. Otherwise closing the window quits.
    void setKeepRunningInTray(bool keep) { m_keepRunningInTray = keep; }
    bool keepsRunningInTray() const { return m_keepRunningInTray; }
    // Stop all asks first unless this is off (tests).
    void setConfirmBulkActions(bool confirm);

public slots:
    // Cheap and non-blocking: a few label updates and one ring-buffer write. The chart redraws on
    // its own timer, not here.
    void applySnapshot(const GatewaySnapshot &snapshot);
    // A budget crossed its alert threshold (fraction < 1) or its cap: shown in a banner until the
    // next alert replaces it or the user closes it.
    void showBudgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);
    // A kill switch the gateway carried out (or refused): on the Sessions page's status line.
    void showCommandResult(const SessionCommand &command, const SessionCommandResult &result);
    // The loop detector stopped sessions (or only warns about them): a banner naming them and the
    // evidence, with a button that opens the first one on the Sessions page.
    void showSessionTrip(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly);

signals:
    // A kill switch pulled on the Sessions page, the header or the tray, for GatewayHost::command.
    void commandRequested(const SessionCommand &command);
    // The tray's Quit.
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildOverview();
    void sendCommand(const SessionCommand &command);
    // Kills this window did not ask for (the admin API, another console) become notifications.
    void noticeKills(const GatewaySnapshot &snapshot);
    void raiseWindow();
    QWidget *buildTiles(QWidget *parent);
    void updateTiles(const GatewaySnapshot &snapshot);
    void updateCost();

    // Read by the chart only from its own timer, which cannot fire while the window is destroyed.
    RateHistory m_rates;
    QString m_currency = QStringLiteral("USD");
    qint64 m_costMicros = 0;
    qint64 m_requestsTotal = 0;
    qint64 m_lastP50Ms = -1;
    qint64 m_lastP99Ms = -1;

    AdminChannel *m_admin = nullptr;
    ConsoleTray *m_tray = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    StopAllButton *m_stopAll = nullptr;
    bool m_keepRunningInTray = false;
    bool m_toldAboutTray = false;
    bool m_seenSessions = false;           // the first snapshot's kills are old news
    bool m_stoppedAllSeen = false;
    QSet<QString> m_killedSeen;            // sessions shown killed in the latest snapshot
    QHash<QString, qint64> m_ownKills;     // session or "tenant:<id>" or "*" -> when this window asked
    GatewayStateHeader *m_header = nullptr;
    StateBanner *m_simulatorBanner = nullptr;
    StateBanner *m_alertBanner = nullptr;
    StateBanner *m_tripBanner = nullptr;
    QString m_trippedSession;
    QListWidget *m_pageList = nullptr;
    QStackedWidget *m_pages = nullptr;
    SessionsPage *m_sessions = nullptr;
    CounterTile *m_requests = nullptr;
    CounterTile *m_inFlight = nullptr;
    CounterTile *m_tokens = nullptr;
    CounterTile *m_cost = nullptr;
    CounterTile *m_failures = nullptr;
    CounterTile *m_latency = nullptr;
    LiveRateChart *m_chart = nullptr;
    UpstreamList *m_upstreams = nullptr;
    QLabel *m_updated = nullptr;
};
