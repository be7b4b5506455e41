#pragma once

#include "BudgetAmounts.h"
#include "BudgetRule.h"
#include "CounterKey.h"
#include "TextHash.h"

#include <QList>
#include <QStringView>
#include <QVarLengthArray>

#include <array>
#include <unordered_map>

// The spend counters of BudgetLedger, by rule identity, subject and window start, and the
// current window of each window kind. Storage only: caps, requests and alerts are the ledger's.
//
// Entries are stable in memory (node-based map): a reservation keeps pointers to the counters it
// holds, and a counter with holders is never pruned. Lookups take a KeyView, so the hot path
// never copies (and reference-counts) a string.
class BudgetCounters
{
public:
    struct Counter
    {
        BudgetAmounts spent;
        BudgetAmounts reserved;                                 // worst cases of requests in flight
        BudgetAmounts inFlight;                                 // their actual usage so far
        BudgetWindow window = BudgetWindow::Total;
        int holders = 0;                                        // reservations pointing here
        QVarLengthArray<std::pair<quint32, quint8>, 2> alerted; // (rule alert id, levels raised)
    };
    using Entry = std::pair<const CounterKey, Counter>;

    struct KeyView
    {
        QStringView rule;
        QStringView subject;
        qint64 windowStart = 0;
        size_t ruleHash = 0;  // TextHash of rule; callers compute it once per rule
    };
    struct Span
    {
        qint64 start = 0;
        qint64 end = 0;       // 0: never ends
        bool valid = false;
    };

private:
    struct Hash
    {
        using is_transparent = void;
        size_t operator()(const CounterKey &key) const noexcept;
        size_t operator()(const KeyView &key) const noexcept;
    };
    struct Equal
    {
        using is_transparent = void;
        bool operator()(const CounterKey &a, const CounterKey &b) const noexcept { return a == b; }
        bool operator()(const KeyView &a, const CounterKey &b) const noexcept { return matches(a, b); }
        bool operator()(const CounterKey &a, const KeyView &b) const noexcept { return matches(b, a); }
    };

public:
    using Map = std::unordered_map<CounterKey, Counter, Hash, Equal>;

    Entry *find(const KeyView &key);
    const Entry *find(const KeyView &key) const;
    const Entry *find(const CounterKey &key) const;
    // The counter, created empty if it does not exist yet.
    Entry &obtain(const KeyView &key, BudgetWindow window);
    static bool matches(const KeyView &view, const CounterKey &key);
    const Map &entries() const { return m_map; }
    QList<CounterKey> keys() const;

    // The window of `window` kind containing nowMs; local-calendar arithmetic costs microseconds,
    // so it is done once per window kind per rollover.
    Span currentSpan(BudgetWindow window, qint64 nowMs) const;
    // The start of the window containing `ms`, which may be a past one.
    qint64 startAt(BudgetWindow window, qint64 ms) const;
    // Forget cached windows (the clock was replaced).
    void resetSpans() { m_spans = {}; }

    // Spend from the store: past windows are dropped, and an existing counter keeps the larger
    // figure per dimension. Keys whose rule names no known window are ignored.
    void restore(const QList<CounterTotals> &totals, qint64 nowMs);
    // Drops unheld counters of past windows, at most once a minute.
    void pruneIfDue(qint64 nowMs);

private:
    Map m_map;
    mutable std::array<Span, 6> m_spans;
    qint64 m_nextPruneMs = 0;
};
