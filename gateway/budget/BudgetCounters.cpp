#include "BudgetCounters.h"

#include "BudgetClock.h"

namespace {
constexpr qint64 PruneIntervalMs = 60'000;
}

size_t BudgetCounters::Hash::operator()(const CounterKey &key) const noexcept
{
    return (*this)(KeyView{key.rule, key.subject, key.windowStart, TextHash()(key.rule)});
}

size_t BudgetCounters::Hash::operator()(const KeyView &key) const noexcept
{
    return TextHash::combine(TextHash::combine(key.ruleHash, TextHash()(key.subject)), std::hash<qint64>()(key.windowStart));
}

bool BudgetCounters::matches(const KeyView &view, const CounterKey &key)
{
    return view.windowStart == key.windowStart && view.subject == key.subject && view.rule == key.rule;
}

BudgetCounters::Entry *BudgetCounters::find(const KeyView &key)
{
    const auto found = m_map.find(key);
    return found == m_map.end() ? nullptr : &*found;
}

const BudgetCounters::Entry *BudgetCounters::find(const KeyView &key) const
{
    const auto found = m_map.find(key);
    return found == m_map.end() ? nullptr : &*found;
}

const BudgetCounters::Entry *BudgetCounters::find(const CounterKey &key) const
{
    const auto found = m_map.find(key);
    return found == m_map.end() ? nullptr : &*found;
}

BudgetCounters::Entry &BudgetCounters::obtain(const KeyView &key, BudgetWindow window)
{
    if (Entry *existing = find(key))
        return *existing;
    Entry &entry = *m_map.try_emplace(CounterKey{key.rule.toString(), key.subject.toString(), key.windowStart}).first;
    entry.second.window = window;
    return entry;
}

BudgetCounters::Span BudgetCounters::currentSpan(BudgetWindow window, qint64 nowMs) const
{
    if (window == BudgetWindow::Request || window == BudgetWindow::Total)
        return {0, 0, true};
    Span &span = m_spans[size_t(window)];
    if (!span.valid || nowMs < span.start || nowMs >= span.end) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(nowMs);
        span = {BudgetClock::windowStart(window, at), BudgetClock::windowEnd(window, at), true};
    }
    return span;
}

qint64 BudgetCounters::startAt(BudgetWindow window, qint64 ms) const
{
    if (window == BudgetWindow::Request || window == BudgetWindow::Total)
        return 0;
    const Span &span = m_spans[size_t(window)];
    if (span.valid && ms >= span.start && ms < span.end)
        return span.start;
    return BudgetClock::windowStart(window, ms);
}

void BudgetCounters::restore(const QList<CounterTotals> &totals, qint64 nowMs)
{
    for (const CounterTotals &total : totals) {
        const auto window = BudgetRule::windowFromName(total.key.rule.section(u'|', -1));
        if (!window || *window == BudgetWindow::Request)
            continue;
        if (*window != BudgetWindow::Total && total.key.windowStart < currentSpan(*window, nowMs).start)
            continue;
        Counter &counter = m_map[total.key];
        counter.window = *window;
        counter.spent.tokens = qMax(counter.spent.tokens, total.tokens);
        counter.spent.costMicros = qMax(counter.spent.costMicros, total.costMicros);
        counter.spent.requests = qMax(counter.spent.requests, total.requests);
    }
}

void BudgetCounters::pruneIfDue(qint64 nowMs)
{
    if (nowMs < m_nextPruneMs)
        return;
    // Counters of past windows only matter while a request admitted there is still in flight.
    for (auto it = m_map.begin(); it != m_map.end();) {
        const Counter &c = it->second;
        const bool stale = c.holders == 0 && c.window != BudgetWindow::Total
                           && it->first.windowStart < currentSpan(c.window, nowMs).start;
        it = stale ? m_map.erase(it) : std::next(it);
    }
    m_nextPruneMs = nowMs + PruneIntervalMs;
}

QList<CounterKey> BudgetCounters::keys() const
{
    QList<CounterKey> list;
    list.reserve(qsizetype(m_map.size()));
    for (const auto &[key, counter] : m_map)
        list.append(key);
    return list;
}
