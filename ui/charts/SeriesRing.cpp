#include "SeriesRing.h"

#include <algorithm>

SeriesRing::SeriesRing(int channels, int capacitySeconds)
    : m_channels(std::max(1, channels))
    , m_capacity(std::max(1, capacitySeconds))
    , m_modes(m_channels, Mode::Sum)
    , m_seconds(m_capacity, -1)
    , m_values(qsizetype(m_capacity) * m_channels, 0.0)
{
}

void SeriesRing::setMode(int channel, Mode mode)
{
    Q_ASSERT(channel >= 0 && channel < m_channels);
    m_modes[channel] = mode;
}

int SeriesRing::slotOf(qint64 second) const
{
    const qint64 slot = second % m_capacity;
    return int(slot < 0 ? slot + m_capacity : slot);
}

bool SeriesRing::holds(qint64 second) const
{
    return second >= 0 && m_seconds.at(slotOf(second)) == second;
}

void SeriesRing::add(qint64 second, int channel, double value)
{
    Q_ASSERT(channel >= 0 && channel < m_channels);
    if (second < 0 || (m_latest > 0 && second <= m_latest - m_capacity))
        return;
    const int slot = slotOf(second);
    double *bucket = m_values.data() + qsizetype(slot) * m_channels;
    if (m_seconds.at(slot) != second) {
        m_seconds[slot] = second;
        for (int c = 0; c < m_channels; ++c)
            bucket[c] = m_modes.at(c) == Mode::Max ? -1.0 : 0.0;
    }
    if (m_modes.at(channel) == Mode::Max)
        bucket[channel] = std::max(bucket[channel], value);
    else
        bucket[channel] += value;
    m_latest = std::max(m_latest, second);
}

void SeriesRing::clearChannel(int channel)
{
    const double empty = m_modes.at(channel) == Mode::Max ? -1.0 : 0.0;
    for (int slot = 0; slot < m_capacity; ++slot)
        m_values[qsizetype(slot) * m_channels + channel] = empty;
}

double SeriesRing::value(qint64 second, int channel) const
{
    if (!holds(second) || second <= m_latest - m_capacity)
        return m_modes.at(channel) == Mode::Max ? -1.0 : 0.0;
    return m_values.at(qsizetype(slotOf(second)) * m_channels + channel);
}

int SeriesRing::secondsPerPoint(qint64 fromSecond, qint64 toSecond, int points)
{
    const qint64 span = std::max<qint64>(1, toSecond - fromSecond + 1);
    return int(std::max<qint64>(1, (span + std::max(1, points) - 1) / std::max(1, points)));
}

QList<double> SeriesRing::aggregate(qint64 fromSecond, qint64 toSecond, int points, int channel) const
{
    QList<double> out;
    if (toSecond < fromSecond || points <= 0)
        return out;
    const int step = secondsPerPoint(fromSecond, toSecond, points);
    const bool peak = m_modes.at(channel) == Mode::Max;
    for (qint64 start = fromSecond; start <= toSecond; start += step) {
        const qint64 end = std::min(toSecond, start + step - 1);
        double acc = peak ? -1.0 : 0.0;
        for (qint64 s = start; s <= end; ++s) {
            const double v = value(s, channel);
            acc = peak ? std::max(acc, v) : acc + v;
        }
        out.append(peak ? acc : acc / double(end - start + 1));
    }
    return out;
}

QList<double> SeriesRing::aggregateRatio(qint64 fromSecond, qint64 toSecond, int points, int numerator, int denominator) const
{
    QList<double> out;
    if (toSecond < fromSecond || points <= 0)
        return out;
    const int step = secondsPerPoint(fromSecond, toSecond, points);
    for (qint64 start = fromSecond; start <= toSecond; start += step) {
        const qint64 end = std::min(toSecond, start + step - 1);
        double num = 0.0;
        double den = 0.0;
        for (qint64 s = start; s <= end; ++s) {
            num += value(s, numerator);
            den += value(s, denominator);
        }
        out.append(den > 0.0 ? num / den : -1.0);
    }
    return out;
}

double SeriesRing::total(qint64 fromSecond, qint64 toSecond, int channel) const
{
    double sum = 0.0;
    for (qint64 s = fromSecond; s <= toSecond; ++s)
        sum += value(s, channel);
    return sum;
}
