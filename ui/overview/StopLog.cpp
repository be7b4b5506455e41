#include "StopLog.h"

#include "SpanLanes.h"
#include "session/SessionView.h"

#include <algorithm>

void StopLog::apply(const QList<SessionView> &sessions, qint64 nowMs)
{
    ++m_generation;
    for (const SessionView &session : sessions) {
        const bool stopped = session.state == SessionView::State::Tripped || session.state == SessionView::State::Killed;
        auto it = m_sessions.find(session.id);
        if (!stopped) {
            // Only sessions we hold a running stop for matter; the rest cost one lookup.
            if (it != m_sessions.end() && it->open) {
                it->spans.last().toMs = std::max(it->spans.last().fromMs, session.stateSinceMs > 0 ? session.stateSinceMs : nowMs);
                it->open = false;
            }
            continue;
        }
        const StateTimeline::State state = session.state == SessionView::State::Tripped ? StateTimeline::State::Tripped
                                                                                        : StateTimeline::State::Killed;
        const qint64 since = session.stateSinceMs > 0 ? session.stateSinceMs : nowMs;
        if (it == m_sessions.end()) {
            if (m_sessions.size() >= MaxSessions)
                continue;
            it = m_sessions.insert(session.id, Entry{});
        }
        it->seen = m_generation;
        if (it->open && it->spans.last().state == state && it->spans.last().fromMs == since)
            continue;
        if (it->open)
            it->spans.last().toMs = std::max(it->spans.last().fromMs, since);
        it->spans.append({since, -1, state});
        it->open = true;
    }
    // A stopped session that left the list (the gateway forgot it) ends its stop now.
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        if (it->open && it->seen != m_generation) {
            it->spans.last().toMs = std::max(it->spans.last().fromMs, nowMs);
            it->open = false;
        }
    }
    if (nowMs - m_prunedAtMs >= 60 * 1000)
        prune(nowMs);
}

void StopLog::prune(qint64 nowMs)
{
    m_prunedAtMs = nowMs;
    SpanLanes::prune(m_sessions, nowMs, KeepMs);
}

QList<StateTimeline::Lane> StopLog::lanes(qint64 fromMs, qint64 toMs) const
{
    return SpanLanes::inRange(m_sessions, QStringLiteral("session"), fromMs, toMs);
}
