#include "SimulatorPacer.h"

#include <algorithm>

SimulatorPacer::SimulatorPacer(Step step, QObject *parent) : QObject(parent), m_step(std::move(step))
{
    m_clock.start();
    m_timer.setSingleShot(true);
    // A coarse timer may fire up to 5 % late: enough to blur a 20 ms token pace.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SimulatorPacer::fire);
}

void SimulatorPacer::schedule(quint64 id, qint64 dueMs)
{
    const bool earliest = m_queue.empty() || dueMs < m_queue.top().due;
    m_queue.push({dueMs, id});
    if (earliest)
        arm();
}

int SimulatorPacer::resolutionMs() const
{
    return int(std::min<size_t>(8, m_queue.size() / 256));
}

void SimulatorPacer::arm()
{
    if (m_queue.empty()) {
        m_timer.stop();
        return;
    }
    const qint64 at = std::max(m_queue.top().due, m_lastFire + resolutionMs());
    m_timer.start(int(std::clamp<qint64>(at - now(), 0, 24 * 3600 * 1000)));
}

void SimulatorPacer::fire()
{
    const qint64 t = now();
    m_lastFire = t;
    // Take the whole due batch first: steps re-schedule, and a step due again at once must wait
    // for the next turn of the event loop rather than starve everything else.
    m_batch.clear();
    while (!m_queue.empty() && m_queue.top().due <= t) {
        m_batch.push_back(m_queue.top().id);
        m_queue.pop();
    }
    for (const quint64 id : m_batch) {
        const qint64 next = m_step(id);
        if (next >= 0)
            m_queue.push({next, id});
    }
    arm();
}
