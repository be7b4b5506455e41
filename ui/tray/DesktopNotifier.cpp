#include "DesktopNotifier.h"

#include "upstreams/UpstreamText.h"

#include <QDateTime>

DesktopNotifier::DesktopNotifier(QObject *parent) : QObject(parent)
{
}

bool DesktopNotifier::notify(Kind kind, const QString &key, const QString &title, const QString &text, qint64 nowMs)
{
    const QString slot = QString::number(int(kind)) + QLatin1Char('|') + key;
    const auto last = m_lastShown.constFind(slot);
    if (last != m_lastShown.cend() && nowMs - *last < RepeatAfterMs)
        return false;
    m_lastShown.insert(slot, nowMs);
    if (m_lastShown.size() > 4 * Kept) {
        // Forget subjects not announced within the last minute; they may be announced again anyway.
        for (auto it = m_lastShown.begin(); it != m_lastShown.end();)
            it = nowMs - it.value() >= RepeatAfterMs ? m_lastShown.erase(it) : std::next(it);
    }
    const Notification n{kind, key, title, text, nowMs};
    m_recent.append(n);
    if (m_recent.size() > Kept)
        m_recent.removeFirst();
    if (m_sink)
        m_sink(n);
    Q_EMIT notified(n);
    return true;
}

void DesktopNotifier::budgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message)
{
    const bool cap = fraction >= 1.0;
    const QString who = subject.isEmpty() ? rule : tr("%1 (%2)").arg(rule, subject);
    notify(cap ? Kind::BudgetCap : Kind::BudgetAlert, rule + QLatin1Char('|') + subject,
           cap ? tr("Budget cap reached: %1").arg(who) : tr("Budget at %1%: %2").arg(qRound(fraction * 100)).arg(who), message,
           QDateTime::currentMSecsSinceEpoch());
}

void DesktopNotifier::sessionTripped(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly)
{
    if (sessions.isEmpty())
        return;
    const QString who = sessions.join(QStringLiteral(", "));
    notify(Kind::SessionTripped, who,
           warnOnly ? tr("Possible runaway loop: %1").arg(who) : tr("Session stopped: %1").arg(who),
           tr("%1: %2").arg(signal, evidence), QDateTime::currentMSecsSinceEpoch());
}

void DesktopNotifier::sessionKilled(const QString &session, const QString &reason)
{
    notify(Kind::SessionKilled, session, tr("Session killed: %1").arg(session),
           reason.isEmpty() ? tr("Its requests are refused until it is resumed.") : reason, QDateTime::currentMSecsSinceEpoch());
}

void DesktopNotifier::upstreamDown(const QString &upstream, const QString &reason, const QStringList &takers)
{
    notify(Kind::UpstreamBreaker, upstream, UpstreamText::downTitle(upstream), UpstreamText::downText(reason, takers),
           QDateTime::currentMSecsSinceEpoch());
}
