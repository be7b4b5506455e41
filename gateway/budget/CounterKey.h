#pragma once

#include <QHashFunctions>
#include <QList>
#include <QString>

// Which spend counter: a rule's counter identity ("scope|match|window", shared by rules that
// differ only in their caps, so changing a cap never resets spend), the subject it counts for
// (the tenant, session or model name; empty for global), and the start of the window
// (ms since the epoch on the local calendar; 0 for "total" and "request").
struct CounterKey
{
    QString rule;
    QString subject;
    qint64 windowStart = 0;

    bool operator==(const CounterKey &) const = default;
};

inline size_t qHash(const CounterKey &k, size_t seed = 0)
{
    return qHashMulti(seed, k.rule, k.subject, k.windowStart);
}

// An amount added to (or held against) one counter.
struct CounterDelta
{
    CounterKey key;
    qint64 tokens = 0;
    qint64 costMicros = 0;
    qint64 requests = 0;
};

// A counter as stored: what has been spent in its window.
using CounterTotals = CounterDelta;
