#include "BreakerLog.h"

#include "SpanLanes.h"
#include "upstream/UpstreamView.h"

#include <algorithm>

namespace {
QString laneOf(const QString &upstream, const QString &model)
{
    return model.isEmpty() ? upstream : upstream + QStringLiteral(" · ") + model;
}

bool down(const QString &state)
{
    return state == QLatin1String("open") || state == QLatin1String("half_open");
}
} // namespace

void BreakerLog::apply(const QList<UpstreamTransitionView> &transitions, const QList<UpstreamView> &upstreams, qint64 nowMs)
{
    QList<UpstreamTransitionView> ordered = transitions;
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto &a, const auto &b) { return a.atMs < b.atMs; });
    for (const UpstreamTransitionView &t : ordered) {
        const QString lane = laneOf(t.upstream, t.model);
        const qint64 at = t.atMs > 0 ? t.atMs : nowMs;
        if (down(t.to))
            open(lane, at);
        else
            close(lane, at);
    }
    // The states now win over what the transitions said (a snapshot's list is bounded, and the
    // console may have started while a breaker was already open); a breaker of an upstream that
    // left the config ends with it.
    if (upstreams.isEmpty())
        return pruneIfDue(nowMs);
    QHash<QString, qint64> downNow; // lane -> since
    QHash<QString, qint64> closedSince;
    for (const UpstreamView &u : upstreams) {
        const qint64 since = u.breakerSinceMs > 0 ? u.breakerSinceMs : nowMs;
        if (down(u.breaker))
            downNow.insert(u.name, since);
        else
            closedSince.insert(u.name, since);
        for (const UpstreamModelBreakerView &m : u.modelBreakers)
            if (down(m.state))
                downNow.insert(laneOf(u.name, m.model), nowMs);
    }
    for (auto it = downNow.cbegin(); it != downNow.cend(); ++it)
        open(it.key(), it.value());
    for (auto it = m_lanes.begin(); it != m_lanes.end(); ++it)
        if (it->open && !downNow.contains(it.key()))
            close(it.key(), closedSince.value(it.key(), nowMs));
    pruneIfDue(nowMs);
}

void BreakerLog::pruneIfDue(qint64 nowMs)
{
    if (nowMs - m_prunedAtMs >= 60 * 1000)
        prune(nowMs);
}

void BreakerLog::open(const QString &lane, qint64 atMs)
{
    auto it = m_lanes.find(lane);
    if (it == m_lanes.end()) {
        if (m_lanes.size() >= MaxLanes)
            return;
        it = m_lanes.insert(lane, Entry{});
    }
    if (it->open)
        return; // open -> half_open -> open is one outage
    it->spans.append({atMs, -1, StateTimeline::State::BreakerOpen});
    it->open = true;
}

void BreakerLog::close(const QString &lane, qint64 atMs)
{
    const auto it = m_lanes.find(lane);
    if (it == m_lanes.end() || !it->open)
        return;
    it->spans.last().toMs = std::max(it->spans.last().fromMs, atMs);
    it->open = false;
}

void BreakerLog::prune(qint64 nowMs)
{
    m_prunedAtMs = nowMs;
    SpanLanes::prune(m_lanes, nowMs, KeepMs);
}

QList<StateTimeline::Lane> BreakerLog::lanes(qint64 fromMs, qint64 toMs) const
{
    return SpanLanes::inRange(m_lanes, QStringLiteral("upstream"), fromMs, toMs);
}
