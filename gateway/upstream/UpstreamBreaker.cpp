#include "UpstreamBreaker.h"

#include <algorithm>
#include <utility>

QString UpstreamBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed: return QStringLiteral("closed");
    case State::Open: return QStringLiteral("open");
    case State::HalfOpen: return QStringLiteral("half_open");
    }
    return QString();
}

bool UpstreamBreaker::allow(qint64 nowMs)
{
    if (m_state == State::Open) {
        if (nowMs < m_openedAtMs + m_cooldownMs || (m_activeChecks && !m_checkUnsupported))
            return false;
        moveTo(State::HalfOpen, nowMs, QStringLiteral("cooldown of %1 s over: probing").arg(m_cooldownMs / 1000));
        m_probesOut = 0;
    }
    if (m_state == State::HalfOpen) {
        if (m_probesOut >= std::max(1, m_policy.halfOpenProbes))
            return false;
        ++m_probesOut;
    }
    return true;
}

bool UpstreamBreaker::wouldAllow(qint64 nowMs) const
{
    switch (m_state) {
    case State::Closed: return true;
    case State::Open: return nowMs >= m_openedAtMs + m_cooldownMs && !(m_activeChecks && !m_checkUnsupported);
    case State::HalfOpen: return m_probesOut < std::max(1, m_policy.halfOpenProbes);
    }
    return false;
}

bool UpstreamBreaker::checkDue(qint64 nowMs) const
{
    return m_activeChecks && !m_checkUnsupported && !m_checkOut && m_state == State::Open && nowMs >= m_openedAtMs + m_cooldownMs;
}

void UpstreamBreaker::checkEnded(qint64 nowMs, Check result, const QString &what)
{
    m_checkOut = false;
    if (m_state != State::Open)
        return;
    switch (result) {
    case Check::Healthy:
        moveTo(State::HalfOpen, nowMs, QStringLiteral("health check ok (%1): probing").arg(what));
        m_probesOut = 0;
        break;
    case Check::Unhealthy:
        m_openedAtMs = nowMs; // another cooldown, then another check; no request was spent
        break;
    case Check::Unsupported:
        m_checkUnsupported = true; // requests probe again, as without checks
        break;
    }
}

void UpstreamBreaker::record(qint64 nowMs, qint64 latencyMs, const QString &failure)
{
    QString why = failure;
    if (why.isEmpty() && m_policy.slowMs > 0 && latencyMs > m_policy.slowMs)
        why = QStringLiteral("slow: %1 ms").arg(latencyMs);
    const bool failed = !why.isEmpty();

    if (m_state == State::HalfOpen) {
        m_probesOut = std::max(0, m_probesOut - 1);
        if (failed) {
            m_cooldownMs = std::min(m_policy.maxCooldownMs, m_cooldownMs * 2);
            open(nowMs, QStringLiteral("probe failed (%1)").arg(why));
        } else {
            close(nowMs);
        }
        return;
    }
    if (m_state == State::Open)
        return; // a request let through before it opened: its outcome is already told

    const qint64 index = nowMs / sliceMs();
    Slot &slot = m_window[std::size_t(index % WindowSlots)];
    if (slot.index != index)
        slot = Slot{index, 0, 0};
    ++slot.ended;
    slot.failed += failed;
    m_failuresInRow = failed ? m_failuresInRow + 1 : 0;
    if (!failed)
        return;
    m_cooldownMs = m_policy.cooldownMs;
    if (m_policy.consecutive > 0 && m_failuresInRow >= m_policy.consecutive) {
        open(nowMs, QStringLiteral("%1 failures in a row (last: %2)").arg(m_failuresInRow).arg(why));
        return;
    }
    int ended = 0;
    int failures = 0;
    for (const Slot &s : m_window) {
        if (s.index > index - WindowSlots) { // the slices of the last windowMs
            ended += s.ended;
            failures += s.failed;
        }
    }
    if (ended >= std::max(1, m_policy.minRequests) && double(failures) >= m_policy.errorRate * double(ended))
        open(nowMs, QStringLiteral("%1 of the last %2 requests failed in %3 s (last: %4)")
                        .arg(failures)
                        .arg(ended)
                        .arg(m_policy.windowMs / 1000)
                        .arg(why));
}

qint64 UpstreamBreaker::sliceMs() const
{
    return std::max<qint64>(1, m_policy.windowMs / WindowSlots);
}

void UpstreamBreaker::open(qint64 nowMs, const QString &reason)
{
    m_openedAtMs = nowMs;
    if (m_cooldownMs <= 0)
        m_cooldownMs = m_policy.cooldownMs;
    clearWindow();
    m_failuresInRow = 0;
    moveTo(State::Open, nowMs, reason);
}

void UpstreamBreaker::close(qint64 nowMs)
{
    m_cooldownMs = m_policy.cooldownMs;
    moveTo(State::Closed, nowMs, QStringLiteral("probe succeeded"));
}

void UpstreamBreaker::moveTo(State to, qint64 nowMs, const QString &reason)
{
    if (m_transitions.size() >= MaxTransitionsKept)
        m_transitions.removeFirst();
    m_transitions.append(Transition{m_state, to, nowMs, reason});
    m_state = to;
    m_reason = reason;
}
