#include "StopLog.h"

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
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        auto &spans = it->spans;
        spans.erase(std::remove_if(spans.begin(), spans.end(),
                                   [&](const StateTimeline::Span &s) { return s.toMs >= 0 && s.toMs < nowMs - KeepMs; }),
                    spans.end());
        it = spans.isEmpty() ? m_sessions.erase(it) : std::next(it);
    }
}

QList<StateTimeline::Lane> StopLog::lanes(qint64 fromMs, qint64 toMs) const
{
    struct Ranked
    {
        qint64 latest;
        StateTimeline::Lane lane;
    };
    QList<Ranked> ranked;
    for (auto it = m_sessions.constBegin(); it != m_sessions.constEnd(); ++it) {
        StateTimeline::Lane lane{it.key(), QStringLiteral("session"), {}};
        qint64 latest = 0;
        for (const StateTimeline::Span &s : it->spans) {
            if (s.fromMs <= toMs && (s.toMs < 0 || s.toMs >= fromMs)) {
                lane.spans.append(s);
                latest = std::max(latest, s.fromMs);
            }
        }
        if (!lane.spans.isEmpty())
            ranked.append({latest, lane});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
        return a.latest != b.latest ? a.latest > b.latest : a.lane.label < b.lane.label;
    });
    QList<StateTimeline::Lane> lanes;
    for (const Ranked &r : ranked)
        lanes.append(r.lane);
    return lanes;
}
