#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

// Decides which gateway events become desktop notifications and sends them through a sink (the
// tray's balloon, when the desktop has a tray): a budget crossing its alert threshold or its cap,
// a session tripped by the loop detector or killed (by the admin API or another console; a kill
// from this window is not news to its user), and an upstream's breaker opening. The same
// subject is announced at most once a minute, so a flapping budget or a loop of trips can't bury
// the desktop. Keeps the latest notifications for the window and tests.
class DesktopNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Kind { BudgetAlert, BudgetCap, SessionTripped, SessionKilled, UpstreamBreaker };
    struct Notification
    {
        Kind kind;
        QString key;   // what it is about: "rule|subject", a session id, an upstream
        QString title;
        QString text;
        qint64 atMs = 0;
    };
    using Sink = std::function<void(const Notification &)>;

    static constexpr qint64 RepeatAfterMs = 60 * 1000;
    static constexpr int Kept = 50;

    explicit DesktopNotifier(QObject *parent = nullptr);
    void setSink(Sink sink) { m_sink = std::move(sink); }

    // False when it was dropped as a repeat within RepeatAfterMs.
    bool notify(Kind kind, const QString &key, const QString &title, const QString &text, qint64 nowMs);
    const QList<Notification> &recent() const { return m_recent; }

public Q_SLOTS:
    void budgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);
    void sessionTripped(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly);
    void sessionKilled(const QString &session, const QString &reason);
    // "Upstream deepseek is down" / "5 failures in a row (last: 503). Traffic goes to openai."
    void upstreamDown(const QString &upstream, const QString &reason, const QStringList &takers);

Q_SIGNALS:
    void notified(const DesktopNotifier::Notification &notification);

private:
    Sink m_sink;
    QList<Notification> m_recent;
    QHash<QString, qint64> m_lastShown; // kind|key -> when
};
