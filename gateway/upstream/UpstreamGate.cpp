#include "UpstreamGate.h"

#include <algorithm>
#include <cmath>

void UpstreamGate::configure(const QHash<QString, Settings> &upstreams)
{
    QHash<QString, Lane> next;
    for (auto it = upstreams.cbegin(); it != upstreams.cend(); ++it) {
        Lane lane = m_lanes.value(it.key());
        const bool fresh = !m_lanes.contains(it.key());
        const int before = lane.settings.maxConcurrency;
        lane.settings = it.value();
        // A new ceiling from the config replaces what the 429s made of the old one.
        if (fresh || before != lane.settings.maxConcurrency)
            lane.limit = lane.settings.maxConcurrency;
        next.insert(it.key(), lane);
    }
    for (auto it = m_lanes.begin(); it != m_lanes.end(); ++it)
        if (!next.contains(it.key()))
            for (Waiter &w : it->queue)
                w.admit(); // nothing limits an upstream that is gone; its request fails or fails over on its own
    m_lanes = std::move(next);
    for (Lane &lane : m_lanes)
        admitWaiting(lane);
}

void UpstreamGate::insert(Lane &lane, Waiter waiter)
{
    const auto at = std::find_if(lane.queue.begin(), lane.queue.end(), [&](const Waiter &w) { return w.tier < waiter.tier; });
    lane.queue.insert(at, std::move(waiter));
}

UpstreamGate::Entry UpstreamGate::enter(const QString &upstream, int tier, qint64 nowMs, Admit admit, Refuse refuse, quint64 *ticket,
                                        QString *why)
{
    auto it = m_lanes.find(upstream);
    if (it == m_lanes.end())
        return Entry::Admitted; // not gated (the simulator, or gone)
    Lane &lane = *it;
    if (lane.queue.isEmpty() && hasRoom(lane)) {
        ++lane.held;
        return Entry::Admitted;
    }
    const QString busy = QStringLiteral("upstream %1 has %2 requests in flight (its limit%3) and %4 waiting")
                             .arg(upstream)
                             .arg(lane.held)
                             .arg(lane.limit < lane.settings.maxConcurrency || (lane.settings.maxConcurrency == 0 && lane.limit > 0)
                                      ? QStringLiteral(", lowered to %1 while it answers 429").arg(lane.limit)
                                      : QString())
                             .arg(lane.queue.size());
    if (lane.settings.maxQueue <= 0) {
        *why = busy + QStringLiteral("; it has no wait queue");
        return Entry::Refused;
    }
    if (lane.queue.size() >= lane.settings.maxQueue) {
        // Full: a higher tier takes the place of the latest of the lowest.
        if (lane.queue.last().tier >= tier) {
            *why = busy + QStringLiteral(", its queue is full");
            return Entry::Refused;
        }
        Waiter evicted = lane.queue.takeLast();
        evicted.refuse(busy + QStringLiteral(", and requests of a higher tier took this one's place in the queue"));
    }
    *ticket = m_nextTicket++;
    insert(lane, Waiter{*ticket, tier, nowMs, std::move(admit), std::move(refuse)});
    return Entry::Queued;
}

void UpstreamGate::leave(const QString &upstream)
{
    auto it = m_lanes.find(upstream);
    if (it == m_lanes.end())
        return;
    it->held = std::max(0, it->held - 1);
    admitWaiting(*it);
}

void UpstreamGate::takeOver(const QString &upstream)
{
    auto it = m_lanes.find(upstream);
    if (it != m_lanes.end())
        ++it->held;
}

void UpstreamGate::admitWaiting(Lane &lane)
{
    while (!lane.queue.isEmpty() && hasRoom(lane)) {
        Waiter w = lane.queue.takeFirst();
        ++lane.held;
        w.admit();
    }
}

void UpstreamGate::cancel(const QString &upstream, quint64 ticket)
{
    auto it = m_lanes.find(upstream);
    if (it == m_lanes.end())
        return;
    it->queue.removeIf([&](const Waiter &w) { return w.ticket == ticket; });
}

void UpstreamGate::expire(qint64 nowMs)
{
    for (auto it = m_lanes.begin(); it != m_lanes.end(); ++it) {
        QList<Waiter> late;
        it->queue.removeIf([&](const Waiter &w) {
            if (nowMs - w.sinceMs < it->settings.queueTimeoutMs)
                return false;
            late.append(w);
            return true;
        });
        for (Waiter &w : late)
            w.refuse(QStringLiteral("upstream %1 had no free slot within %2 s (%3 in flight, its limit %4)")
                         .arg(it.key())
                         .arg(double(it->settings.queueTimeoutMs) / 1000.0)
                         .arg(it->held)
                         .arg(it->limit));
    }
}

void UpstreamGate::noteOutcome(const QString &upstream, qint64 nowMs, bool rateLimited)
{
    auto it = m_lanes.find(upstream);
    if (it == m_lanes.end())
        return;
    Lane &lane = *it;
    if (rateLimited) {
        lane.successes = 0;
        // One overload shows as a burst of 429s: it counts once.
        if (nowMs - lane.last429Ms < 1000)
            return;
        lane.last429Ms = nowMs;
        const int base = lane.limit > 0 ? lane.limit : std::max(1, lane.held);
        lane.limit = std::max(1, int(std::floor(base * 0.7)));
        return;
    }
    const int ceiling = lane.settings.maxConcurrency;
    if (lane.limit <= 0 || lane.limit == ceiling)
        return;
    if (++lane.successes < lane.limit)
        return;
    lane.successes = 0;
    ++lane.limit;
    if (ceiling > 0 && lane.limit >= ceiling)
        lane.limit = ceiling;
    // An upstream with no ceiling of its own gets none again after a quiet minute.
    if (ceiling == 0 && nowMs - lane.last429Ms > 60'000)
        lane.limit = 0;
    admitWaiting(lane);
}

int UpstreamGate::limit(const QString &upstream) const
{
    return m_lanes.value(upstream).limit;
}

int UpstreamGate::held(const QString &upstream) const
{
    return m_lanes.value(upstream).held;
}

int UpstreamGate::queued(const QString &upstream) const
{
    return int(m_lanes.value(upstream).queue.size());
}
