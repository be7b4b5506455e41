#pragma once

#include "BudgetSubject.h"
#include "RateDenial.h"
#include "RateLimitRule.h"
#include "SystemBudgetClock.h"
#include "TextHash.h"

#include <QHash>
#include <QList>
#include <QVarLengthArray>

#include <deque>
#include <unordered_map>

// Requests per minute, tokens per minute and concurrent requests per tenant or session, over a
// sliding 60-second window. Pure logic for the gateway thread, like BudgetLedger.
//
// Each tenant and session that some rule matches keeps a queue of (time, tokens) for the requests
// admitted in the last 60 s: tokens are the worst case at admission, replaced by the real count
// on release(). All rules of one scope see the same queue, so rule edits apply at once without
// losing history. Subjects idle for a minute are forgotten, so memory follows the active ones.
class RateLimiter
{
public:
    static constexpr qint64 WindowMs = 60'000;
    // Retry hint for the concurrency limit: when a slot frees is not knowable in advance.
    static constexpr qint64 ConcurrencyRetryMs = 1'000;

    RateLimiter() = default;
    // Tickets point into the subject map: not copyable.
    RateLimiter(const RateLimiter &) = delete;
    RateLimiter &operator=(const RateLimiter &) = delete;

    void setClock(const BudgetClock *clock);   // not owned; nullptr means the system clock
    void setRules(const QList<RateLimitRule> &rules);
    QList<RateLimitRule> rules() const { return m_rules; }

    // Atomic across rules: either every applicable rule counts the request or none does. On
    // denial the limit with the longest wait is reported, so retrying after it can succeed.
    RateAdmission admit(const BudgetSubject &subject, qint64 worstTokens);
    // Ends the request: frees its concurrency slot and corrects its tokens to the real count
    // (if it is still inside the window). Unknown tickets are ignored.
    void release(quint64 ticket, qint64 realTokens);
    // Per dimension the least left across the applicable rules.
    RateRemaining remaining(const BudgetSubject &subject) const;

    // For tests and diagnostics: subjects and queue entries held in memory.
    qsizetype trackedSubjects() const { return qsizetype(m_windows.size()); }
    qsizetype trackedEntries() const;

private:
    struct Entry
    {
        qint64 atMs = 0;
        qint64 tokens = 0;
    };
    struct Window
    {
        std::deque<Entry> entries;  // oldest first
        quint64 firstSeq = 0;       // sequence number of entries.front()
        qint64 tokens = 0;          // sum over entries
        qint64 concurrent = 0;
    };
    struct WindowKey
    {
        BudgetScope scope;
        QString subject;
        bool operator==(const WindowKey &) const = default;
    };
    struct WindowKeyHash
    {
        size_t operator()(const WindowKey &key) const noexcept
        {
            return TextHash::combine(size_t(key.scope), TextHash()(key.subject));
        }
    };
    struct Ticket
    {
        QVarLengthArray<std::pair<Window *, quint64>, 2> parts;  // window, sequence of its entry
    };

    static void prune(Window &window, qint64 nowMs);
    // Counts of `window` as of `nowMs` without pruning it (for const callers).
    static std::pair<qint64, qint64> liveCounts(const Window &window, qint64 nowMs);
    std::optional<RateDenial> check(const RateLimitRule &rule, const QString &subject, const Window *window,
                                    qint64 worstTokens, qint64 nowMs) const;
    void sweep(qint64 nowMs);

    SystemBudgetClock m_systemClock;
    const BudgetClock *m_clock = &m_systemClock;
    QList<RateLimitRule> m_rules;
    std::unordered_map<WindowKey, Window, WindowKeyHash> m_windows;
    QHash<quint64, Ticket> m_tickets;
    quint64 m_nextTicket = 1;
    qint64 m_nextSweepMs = 0;
};
