#pragma once

#include "core/GatewaySnapshot.h"
#include "session/SessionCommand.h"

#include <QIcon>
#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

// The console in the desktop's tray: an icon that shows the day's spend (green, amber past 80% of
// today's cap, red while a session is tripped or stop-all is on), a tooltip with the figures, and
// a menu to show the window, pull the emergency brake or quit. The window can close to it and the
// gateway keeps running. Where the desktop has no tray (a bare X server, offscreen), it keeps the
// same state so the window can ask for it, and shows nothing.
class ConsoleTray : public QObject
{
    Q_OBJECT
public:
    enum class State { Normal, Warning, Alert };

    explicit ConsoleTray(QObject *parent = nullptr);
    ~ConsoleTray() override;

    bool isAvailable() const;
    void setCurrency(const QString &currencyCode) { m_currency = currencyCode; }
    void applySnapshot(const GatewaySnapshot &snapshot);
    // A balloon from the tray icon (nothing without a tray).
    void showMessage(const QString &title, const QString &text, bool critical);

    State state() const { return m_state; }
    QString toolTip() const { return m_toolTip; }
    QString iconText() const { return m_iconText; }
    QIcon icon() const { return m_icon; }
    QMenu *menu() const { return m_menu; }

    // The icon as drawn: `figure` in the middle of a disc coloured for `state`.
    static QIcon paintIcon(State state, const QString &figure);
    // The day's spend in at most four characters: "$0", "$.42", "$3.2", "$42", "1.2k".
    static QString shortMoney(qint64 micros, const QString &currencyCode);

Q_SIGNALS:
    void showConsoleRequested();
    void quitRequested();
    void commandRequested(const SessionCommand &command);

private:
    QSystemTrayIcon *m_tray = nullptr; // only where the desktop has a tray
    QMenu *m_menu = nullptr;
    QAction *m_stopAll = nullptr;
    QString m_currency = QStringLiteral("USD");
    State m_state = State::Normal;
    QString m_toolTip;
    QString m_iconText;
    QIcon m_icon;
    bool m_stoppedAll = false;
};
