#pragma once

#include "charts/SeriesRing.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// Per-second sums for series whose keys come and go (models, tenants): each key gets a few
// channels of one SeriesRing. Keys are bounded: when every channel group is taken, a key unseen
// for the whole window gives its channels to the newcomer, and failing that the newcomer counts
// under "other". Reading picks the top keys of a range and folds the rest into "other".
class KeyedSeries
{
public:
    KeyedSeries(int valuesPerKey, int maxKeys = 24, int capacitySeconds = 3600);

    void add(qint64 second, const QString &key, int value, double amount);

    // The keys with a non-zero total of `rankBy` in from..to, largest first (ties: by `tieBy`),
    // at most n of them; *rest says whether more keys (or "other") had data in the range.
    // "other" itself is never among the top: it is the rest.
    QStringList top(qint64 fromSecond, qint64 toSecond, int rankBy, int tieBy, int n, bool *rest) const;
    // As SeriesRing::aggregate, for one key, or summed over every key not in `excluded`.
    QList<double> aggregate(qint64 fromSecond, qint64 toSecond, int points, const QString &key, int value) const;
    QList<double> aggregateRest(qint64 fromSecond, qint64 toSecond, int points, const QStringList &excluded, int value) const;

    qint64 latestSecond() const { return m_ring.latestSecond(); }
    int keyCount() const { return int(m_keys.size()); }

private:
    int groupFor(const QString &key, qint64 second);

    int m_valuesPerKey;
    int m_maxKeys;
    SeriesRing m_ring;
    QHash<QString, int> m_keys;     // key -> channel group
    QList<qint64> m_lastSecond;     // per group: the last second it was written
    QList<QString> m_groupKey;      // per group: its key, empty when free
};
