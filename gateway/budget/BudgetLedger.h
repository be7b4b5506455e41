#pragma once

#include "BudgetAlert.h"
#include "BudgetAmounts.h"
#include "BudgetCounters.h"
#include "BudgetDemand.h"
#include "BudgetDenial.h"
#include "BudgetOutputDemand.h"
#include "BudgetRemaining.h"
#include "BudgetRule.h"
#include "BudgetRuleSet.h"
#include "BudgetSubject.h"
#include "BudgetUsage.h"
#include "CounterKey.h"
#include "SystemBudgetClock.h"

#include <QJsonArray>
#include <QList>
#include <QVarLengthArray>

#include <functional>
#include <optional>
#include <unordered_map>

// Decides whether a request fits its budgets and keeps the counters that say so. Pure logic for
// the gateway thread: no locks, no I/O; the store persists the CounterDelta values it returns.
//
// A request's life: reserve() holds its worst case against every counter of every rule that
// applies (all rules checked first, nothing changed on denial), so concurrent requests cannot
// overspend a cap together. progress() reports its actual usage as it streams; the reservation
// grows if actual passes the worst case, and a denial means "cut the stream now": with every
// stream checked per chunk, a window overspends by at most one chunk per running stream.
// settle() swaps the reservation for the real usage and returns what to persist.
//
// Rule changes (setRules) apply at once, to requests in flight too: on its next progress() or
// settle() a request is checked against the new caps, and a rule that newly applies to it starts
// holding its (possibly grown) worst case in the window the request was admitted in. A rule
// removed mid-flight stops limiting the request; its spend still lands in that rule's counter,
// so re-adding the rule does not forget it.
class BudgetLedger
{
public:
    using AlertCallback = std::function<void(const BudgetAlert &)>;

    BudgetLedger() = default;
    // In-flight reservations point into the counter map: not copyable.
    BudgetLedger(const BudgetLedger &) = delete;
    BudgetLedger &operator=(const BudgetLedger &) = delete;

    // Not owned; nullptr means the system clock.
    void setClock(const BudgetClock *clock);
    void setRules(const QList<BudgetRule> &rules);
    QList<BudgetRule> rules() const;
    // Spend from the store at start-up. Counters of past windows are dropped; a counter that
    // already exists keeps the larger figure per dimension (spend never goes backwards).
    void restore(const QList<CounterTotals> &totals);
    // Called after the operation that crossed a threshold has finished, so the callback may call
    // back into the ledger.
    void setAlertCallback(AlertCallback callback);

    // `requestId` becomes the reservation id; it must be unique among requests in flight.
    BudgetAdmission reserve(const BudgetSubject &subject, const BudgetDemand &worst, const QString &requestId);
    // Spend down, in one step: the largest output limit, up to what the request asked for (or
    // its default), that every applicable "clamp" rule has room for after the prompt and what
    // others hold (tokens: left - prompt; cost: the most output tokens whose price fits what is
    // left after the prompt's), then reserve() of that worst case, which also applies "refuse"
    // rules and request caps as they are. A clamping rule with fewer than its min_output_tokens
    // left for the request refuses it. Requests that are not `clampable` are held to their whole
    // worst case.
    BudgetAdmission reserveOutput(const BudgetSubject &subject, const BudgetOutputDemand &demand, const QString &requestId);
    // `actualSoFar` is cumulative (prompt + completion so far, cost so far). A denial means the
    // stream must be cut; the reservation stays until settle(). Unknown ids: nothing.
    std::optional<BudgetDenial> progress(const QString &reservationId, const BudgetDemand &actualSoFar);
    // Ends the reservation: the real usage (lower or higher than reserved) is added to every
    // counter it held. Returns per counter the amount added, to persist with the request's row.
    // `countRequest` false leaves the requests dimension untouched (a request that never reached
    // the provider). Unknown ids: nothing.
    QList<CounterDelta> settle(const QString &reservationId, const BudgetDemand &real, bool countRequest = true);
    // What the reservation holds per counter (its worst case, 1 request), for the store's record.
    QList<CounterDelta> holdsOf(const QString &reservationId) const;
    bool isInFlight(const QString &reservationId) const { return m_reservations.count(reservationId) > 0; }
    qsizetype inFlightCount() const { return qsizetype(m_reservations.size()); }

    // The applicable budget with the least left (smallest remaining / cap), for response headers.
    BudgetRemaining tightest(const BudgetSubject &subject) const;
    // Every rule with its counters in the current window.
    QList<BudgetUsage> usage() const;
    // usage() as JSON for the admin API: each rule's config object plus display_name,
    // window_start, resets_at (ISO 8601 with the local offset, null when never) and usage[].
    QJsonArray usageJson() const;

    // Where `rule` counts `subject` now, and what a counter holds (zeros if absent).
    CounterKey keyFor(const BudgetRule &rule, const BudgetSubject &subject) const;
    BudgetCounterUsage counter(const CounterKey &key) const;
    QList<CounterKey> counterKeys() const;

private:
    using Counter = BudgetCounters::Counter;
    using CounterEntry = BudgetCounters::Entry;
    using CounterKeyView = BudgetCounters::KeyView;
    using Span = BudgetCounters::Span;

    using RuleEntry = BudgetRuleSet::Entry;
    using Group = BudgetRuleSet::Group;

    struct Hold
    {
        const CounterKey *key = nullptr;
        Counter *counter = nullptr;
    };
    struct Check
    {
        int rule = 0;
        int hold = -1;         // index into holds; -1 for per-request rules
    };
    struct Reservation
    {
        BudgetSubject subject;
        qint64 reservedAtMs = 0;
        BudgetAmounts held;    // worst case, grown to the actual usage if that passes it
        BudgetAmounts actual;  // reported by progress()
        quint64 rulesVersion = 0;
        QVarLengthArray<Hold, 12> holds;
        QVarLengthArray<Check, 16> checks;
    };

    std::optional<BudgetDenial> admissionDenial(const RuleEntry &entry, const QString &subject, const Counter *counter,
                                                const BudgetAmounts &worst, qint64 nowMs) const;
    std::optional<BudgetDenial> perRequestDenial(const BudgetRule &rule, const QString &subject,
                                                 const BudgetDemand &worst) const;
    // The most output tokens `entry`'s rule has room for (capped at `wanted`), or a denial when
    // that is below the rule's floor; `counter` null for a per-request rule or an empty counter.
    std::optional<BudgetDenial> outputRoom(const RuleEntry &entry, const QString &subject, const Counter *counter,
                                           const BudgetOutputDemand &demand, qint64 wanted, qint64 nowMs,
                                           qint64 *room) const;
    std::optional<BudgetDenial> cutDenial(const Reservation &reservation, qint64 nowMs) const;
    // Holds the reservation against `group`'s counter in the window starting at windowStart
    // (`entry`, or a new counter if null); per-request groups only add their checks.
    void hold(Reservation &reservation, int group, qint64 windowStart, CounterEntry *entry);
    void rebind(Reservation &reservation);
    void release(Reservation &reservation);
    void collectAlerts(const Reservation &reservation, const BudgetAmounts &delta, qint64 nowMs,
                       QList<BudgetAlert> *alerts);
    void emitAlerts(const QList<BudgetAlert> &alerts) const;

    SystemBudgetClock m_systemClock;
    const BudgetClock *m_clock = &m_systemClock;
    BudgetRuleSet m_rules;
    BudgetCounters m_counters;
    std::unordered_map<QString, Reservation, TextHash> m_reservations;
    AlertCallback m_alertCallback;
};
