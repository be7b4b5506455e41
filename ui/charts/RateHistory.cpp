#include "RateHistory.h"

#include <algorithm>

RateHistory::RateHistory(int capacitySeconds)
    : m_ring(std::max(1, capacitySeconds))
{
}

void RateHistory::addSample(qint64 takenAtMs, qint64 requests, qint64 tokens)
{
    // Floor division, so that times before 1970 (a broken clock) still bucket consistently.
    const qint64 second = takenAtMs >= 0 ? takenAtMs / 1000 : -((-takenAtMs + 999) / 1000);

    if (!m_hasOpen) {
        m_open = {second, 0, 0};
        m_hasOpen = true;
    } else if (second > m_open.second) {
        const qint64 gap = second - m_open.second - 1;
        if (gap >= capacity()) {
            // Nothing held would still be inside the window.
            m_head = 0;
            m_size = 0;
            ++m_revision;
        } else {
            push(m_open);
            for (qint64 s = m_open.second + 1; s < second; ++s)
                push({s, 0, 0});
        }
        m_open = {second, 0, 0};
    }
    // A snapshot stamped earlier than the open second (clock stepped back) counts into the open
    // one: the counts are real even if the time is not.
    m_open.requests += requests;
    m_open.tokens += tokens;
}

void RateHistory::clear()
{
    m_head = 0;
    m_size = 0;
    m_hasOpen = false;
    m_open = {};
    ++m_revision;
}

const RateHistory::Second &RateHistory::at(int index) const
{
    Q_ASSERT(index >= 0 && index < m_size);
    return m_ring.at((m_head + index) % capacity());
}

double RateHistory::requestsPerSecond(int seconds) const
{
    const int n = std::min(seconds, m_size);
    if (n <= 0)
        return 0.0;
    qint64 sum = 0;
    for (int i = m_size - n; i < m_size; ++i)
        sum += at(i).requests;
    return double(sum) / n;
}

double RateHistory::tokensPerSecond(int seconds) const
{
    const int n = std::min(seconds, m_size);
    if (n <= 0)
        return 0.0;
    qint64 sum = 0;
    for (int i = m_size - n; i < m_size; ++i)
        sum += at(i).tokens;
    return double(sum) / n;
}

void RateHistory::push(const Second &second)
{
    if (m_size < capacity()) {
        m_ring[(m_head + m_size) % capacity()] = second;
        ++m_size;
    } else {
        m_ring[m_head] = second;
        m_head = (m_head + 1) % capacity();
    }
    ++m_revision;
}
