#include "KeyedSeries.h"

#include "charts/SeriesColours.h"

#include <algorithm>

KeyedSeries::KeyedSeries(int valuesPerKey, int maxKeys, int capacitySeconds)
    : m_valuesPerKey(std::max(1, valuesPerKey))
    , m_maxKeys(std::max(2, maxKeys))
    , m_ring(m_valuesPerKey * m_maxKeys, capacitySeconds)
    , m_lastSecond(m_maxKeys, -1)
    , m_groupKey(m_maxKeys)
{
    // "other" always has the first group, so a key that finds no room has somewhere to go.
    m_keys.insert(SeriesColours::otherKey(), 0);
    m_groupKey[0] = SeriesColours::otherKey();
}

int KeyedSeries::groupFor(const QString &key, qint64 second)
{
    const auto it = m_keys.constFind(key);
    if (it != m_keys.constEnd())
        return *it;
    int group = -1;
    if (m_keys.size() < m_maxKeys) {
        group = int(m_keys.size());
    } else {
        // The key unseen the longest, if it is out of the window by now.
        int oldest = -1;
        for (int g = 0; g < m_maxKeys; ++g) {
            if (g != 0 && (oldest < 0 || m_lastSecond.at(g) < m_lastSecond.at(oldest)))
                oldest = g;
        }
        if (oldest >= 0 && m_lastSecond.at(oldest) <= second - m_ring.capacity()) {
            group = oldest;
            m_keys.remove(m_groupKey.at(group));
            for (int v = 0; v < m_valuesPerKey; ++v)
                m_ring.clearChannel(group * m_valuesPerKey + v);
        } else {
            return 0;
        }
    }
    m_keys.insert(key, group);
    m_groupKey[group] = key;
    return group;
}

void KeyedSeries::add(qint64 second, const QString &key, int value, double amount)
{
    Q_ASSERT(value >= 0 && value < m_valuesPerKey);
    const int group = groupFor(key, second);
    m_lastSecond[group] = std::max(m_lastSecond.at(group), second);
    m_ring.add(second, group * m_valuesPerKey + value, amount);
}

QStringList KeyedSeries::top(qint64 fromSecond, qint64 toSecond, int rankBy, int tieBy, int n, bool *rest) const
{
    struct Ranked
    {
        QString key;
        double rank;
        double tie;
    };
    QList<Ranked> ranked;
    bool otherHasData = false;
    for (auto it = m_keys.constBegin(); it != m_keys.constEnd(); ++it) {
        if (m_lastSecond.at(*it) < fromSecond)
            continue;
        const double rank = m_ring.total(fromSecond, toSecond, *it * m_valuesPerKey + rankBy);
        const double tie = m_ring.total(fromSecond, toSecond, *it * m_valuesPerKey + tieBy);
        if (rank <= 0.0 && tie <= 0.0)
            continue;
        if (it.key() == SeriesColours::otherKey())
            otherHasData = true;
        else
            ranked.append({it.key(), rank, tie});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
        if (a.rank != b.rank)
            return a.rank > b.rank;
        if (a.tie != b.tie)
            return a.tie > b.tie;
        return a.key < b.key;
    });
    QStringList keys;
    for (int i = 0; i < ranked.size() && i < n; ++i)
        keys.append(ranked.at(i).key);
    if (rest)
        *rest = otherHasData || ranked.size() > n;
    return keys;
}

QList<double> KeyedSeries::aggregate(qint64 fromSecond, qint64 toSecond, int points, const QString &key, int value) const
{
    const auto it = m_keys.constFind(key);
    if (it == m_keys.constEnd())
        return {};
    return m_ring.aggregate(fromSecond, toSecond, points, *it * m_valuesPerKey + value);
}

QList<double> KeyedSeries::aggregateRest(qint64 fromSecond, qint64 toSecond, int points, const QStringList &excluded, int value) const
{
    QList<double> sum;
    for (auto it = m_keys.constBegin(); it != m_keys.constEnd(); ++it) {
        if (excluded.contains(it.key()) || m_lastSecond.at(*it) < fromSecond)
            continue;
        const QList<double> one = m_ring.aggregate(fromSecond, toSecond, points, *it * m_valuesPerKey + value);
        if (sum.isEmpty())
            sum = one;
        else
            for (int i = 0; i < one.size(); ++i)
                sum[i] += one.at(i);
    }
    return sum;
}
