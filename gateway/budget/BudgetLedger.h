#pragma once

#include "BudgetAlert.h"
#include "BudgetAmounts.h"
#include "BudgetDemand.h"
#include "BudgetDenial.h"
#include "BudgetRemaining.h"
#include "BudgetRule.h"
#include "BudgetSubject.h"
#include "BudgetUsage.h"
#include "CounterKey.h"
#include "SystemBudgetClock.h"
#include "TextHash.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QStringView>
#include <QVarLengthArray>

#include <array>
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
    struct Counter
    {
        BudgetAmounts spent;
        BudgetAmounts reserved;
        BudgetAmounts inFlight;
        BudgetWindow window = BudgetWindow::Total;
        int holders = 0;                                  // reservations pointing here: never pruned
        QVarLengthArray<std::pair<quint32, quint8>, 2> alerted; // (rule alert id, levels raised)
    };
    // A key to look up without copying its strings (no reference counting on the hot path).
    struct CounterKeyView
    {
        QStringView rule;
        QStringView subject;
        qint64 windowStart = 0;
        size_t ruleHash = 0;   // TextHash of rule, computed once per rule group
    };
    struct CounterKeyHash
    {
        using is_transparent = void;
        size_t operator()(const CounterKey &key) const noexcept
        {
            return (*this)(CounterKeyView{key.rule, key.subject, key.windowStart, TextHash()(key.rule)});
        }
        size_t operator()(const CounterKeyView &key) const noexcept
        {
            return TextHash::combine(TextHash::combine(key.ruleHash, TextHash()(key.subject)),
                                     std::hash<qint64>()(key.windowStart));
        }
    };
    struct CounterKeyEqual
    {
        using is_transparent = void;
        bool operator()(const CounterKey &a, const CounterKey &b) const noexcept { return a == b; }
        bool operator()(const CounterKeyView &a, const CounterKey &b) const noexcept
        {
            return a.windowStart == b.windowStart && a.subject == b.subject && a.rule == b.rule;
        }
        bool operator()(const CounterKey &a, const CounterKeyView &b) const noexcept { return (*this)(b, a); }
    };
    // Node-based, so an entry's address survives inserts: reservations point at their counters.
    using CounterMap = std::unordered_map<CounterKey, Counter, CounterKeyHash, CounterKeyEqual>;
    using CounterEntry = CounterMap::value_type;

    struct RuleEntry
    {
        BudgetRule rule;
        quint32 alertId = 0;   // stable while the rule is unchanged, so edits elsewhere don't re-alert
        // Per dimension (tokens, cost, requests), -1 where uncapped: the hot paths read these
        // rather than the optionals, and the alert threshold is exact integer arithmetic.
        std::array<qint64, 3> cap = {-1, -1, -1};
        std::array<qint64, 3> alertThreshold = {-1, -1, -1};
    };
    // Rules sharing a counter identity: matched and looked up once per request.
    struct Group
    {
        QString counterRule;
        size_t counterRuleHash = 0;
        BudgetScope scope = BudgetScope::Global;
        QString match;
        BudgetWindow window = BudgetWindow::Total;
        QVarLengthArray<int, 2> rules;
    };
    // A counter a reservation holds; the map entry is never erased while held.
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
    struct Span
    {
        qint64 start = 0;
        qint64 end = 0;
        bool valid = false;
    };

    static const QString &fieldOf(BudgetScope scope, const BudgetSubject &subject);
    bool applies(const Group &group, const BudgetSubject &subject) const;
    Span currentSpan(BudgetWindow window, qint64 nowMs) const;
    qint64 startAt(BudgetWindow window, qint64 ms) const;

    std::optional<BudgetDenial> admissionDenial(const RuleEntry &entry, const QString &subject, const Counter *counter,
                                                const BudgetAmounts &worst, qint64 nowMs) const;
    std::optional<BudgetDenial> perRequestDenial(const BudgetRule &rule, const QString &subject,
                                                 const BudgetDemand &worst) const;
    std::optional<BudgetDenial> cutDenial(const Reservation &reservation, qint64 nowMs) const;
    // Holds the reservation against `group`'s counter in the window starting at windowStart
    // (`entry`, or a new counter if null); per-request groups only add their checks.
    void hold(Reservation &reservation, int group, qint64 windowStart, CounterEntry *entry);
    void rebind(Reservation &reservation);
    void release(Reservation &reservation);
    void collectAlerts(const Reservation &reservation, const BudgetAmounts &delta, qint64 nowMs,
                       QList<BudgetAlert> *alerts);
    void emitAlerts(const QList<BudgetAlert> &alerts) const;
    void pruneStaleCounters(qint64 nowMs);

    SystemBudgetClock m_systemClock;
    const BudgetClock *m_clock = &m_systemClock;
    QList<RuleEntry> m_rules;
    QList<Group> m_groups;
    quint64 m_rulesVersion = 1;
    QHash<QString, quint32> m_alertIds;
    CounterMap m_counters;
    std::unordered_map<QString, Reservation, TextHash> m_reservations;
    AlertCallback m_alertCallback;
    mutable std::array<Span, 6> m_spans;   // current window per BudgetWindow, recomputed on rollover
    qint64 m_nextPruneMs = 0;
};
