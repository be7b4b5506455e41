#include "BudgetLedger.h"

#include "BudgetMessages.h"
#include "BudgetUsageJson.h"
#include "accounting/PriceTable.h"

#include <QtDebug>

#include <algorithm>

namespace {

constexpr quint8 AlertLevel = 1;
constexpr quint8 CapLevel = 2;

const QString Tokens = QStringLiteral("tokens");
const QString Cost = QStringLiteral("cost");
const QString Requests = QStringLiteral("requests");

BudgetAmounts operator+(const BudgetAmounts &a, const BudgetAmounts &b)
{
    return {a.tokens + b.tokens, a.costMicros + b.costMicros, a.requests + b.requests};
}

BudgetAmounts operator-(const BudgetAmounts &a, const BudgetAmounts &b)
{
    return {a.tokens - b.tokens, a.costMicros - b.costMicros, a.requests - b.requests};
}

BudgetDemand nonNegative(const BudgetDemand &d)
{
    return {qMax<qint64>(0, d.tokens), qMax<qint64>(0, d.costMicros), qMax<qint64>(0, d.promptTokens),
            qMax<qint64>(0, d.promptCostMicros)};
}

const QString *dimensionName(int i)
{
    static const QString *names[] = {&Tokens, &Cost, &Requests};
    return names[i];
}

qint64 dimension(const BudgetAmounts &a, int i)
{
    return i == 0 ? a.tokens : i == 1 ? a.costMicros : a.requests;
}

std::optional<qint64> capOf(const BudgetRule &rule, int i)
{
    return i == 0 ? rule.maxTokens : i == 1 ? rule.maxCostMicros : rule.maxRequests;
}

// The most output tokens, at most `upTo`, whose worst cost (prompt included) fits `left`; -1
// when the prompt alone does not. Cost grows with output, so a binary search finds it exactly.
qint64 largestAffordable(const BudgetOutputDemand &demand, qint64 prompt, qint64 left, qint64 upTo)
{
    const auto cost = [&](qint64 output) { return PriceTable::costMicros(demand.price, prompt, 0, output); };
    if (cost(0) > left)
        return -1;
    if (cost(upTo) <= left)
        return upTo;
    qint64 fits = 0;
    qint64 over = upTo;
    while (over - fits > 1) {
        const qint64 mid = fits + (over - fits) / 2;
        (cost(mid) <= left ? fits : over) = mid;
    }
    return fits;
}

} // namespace

void BudgetLedger::setClock(const BudgetClock *clock)
{
    m_clock = clock ? clock : &m_systemClock;
    m_counters.resetSpans();
}

void BudgetLedger::setRules(const QList<BudgetRule> &rules)
{
    m_rules.set(rules);
}

QList<BudgetRule> BudgetLedger::rules() const
{
    return m_rules.rules();
}

void BudgetLedger::restore(const QList<CounterTotals> &totals)
{
    m_counters.restore(totals, m_clock->nowMs());
}

void BudgetLedger::setAlertCallback(AlertCallback callback)
{
    m_alertCallback = std::move(callback);
}

BudgetAdmission BudgetLedger::reserve(const BudgetSubject &subject, const BudgetDemand &worstDemand,
                                      const QString &requestId)
{
    const qint64 now = m_clock->nowMs();
    const BudgetDemand worst = nonNegative(worstDemand);
    const BudgetAmounts held{qMax(worst.tokens, worst.promptTokens), qMax(worst.costMicros, worst.promptCostMicros), 1};

    // Check every rule before touching anything: a denial leaves the ledger exactly as it was.
    struct Pending
    {
        int group;
        qint64 windowStart;
        CounterEntry *entry;
    };
    QVarLengthArray<Pending, 16> pending;
    for (int g = 0; g < m_rules.groups().size(); ++g) {
        const Group &group = m_rules.groups().at(g);
        if (!BudgetRuleSet::applies(group, subject))
            continue;
        const QString &field = BudgetRuleSet::fieldOf(group.scope, subject);
        if (group.window == BudgetWindow::Request) {
            for (int r : group.rules) {
                if (auto denial = perRequestDenial(m_rules.entry(r).rule, field, worst))
                    return {QString(), denial, -1, QString()};
            }
            pending.append({g, 0, nullptr});
            continue;
        }
        const qint64 windowStart = m_counters.currentSpan(group.window, now).start;
        CounterEntry *entry = m_counters.find(CounterKeyView{group.counterRule, field, windowStart, group.counterRuleHash});
        for (int r : group.rules) {
            if (auto denial = admissionDenial(m_rules.entry(r), field, entry ? &entry->second : nullptr, held, now))
                return {QString(), denial, -1, QString()};
        }
        pending.append({g, windowStart, entry});
    }

    if (auto previous = m_reservations.find(requestId); previous != m_reservations.end()) {
        qWarning("BudgetLedger: request id %s reserved twice; releasing the earlier reservation",
                 qPrintable(requestId));
        release(previous->second);
        m_reservations.erase(previous);
    }
    // Built in place: a reservation is a few hundred bytes, not worth moving.
    Reservation &reservation = m_reservations.try_emplace(requestId).first->second;
    reservation.subject = subject;
    reservation.reservedAtMs = now;
    reservation.held = held;
    reservation.rulesVersion = m_rules.version();
    for (const Pending &p : pending)
        hold(reservation, p.group, p.windowStart, p.entry);

    QList<BudgetAlert> alerts;
    collectAlerts(reservation, {0, 0, 1}, now, &alerts);
    m_counters.pruneIfDue(now);
    emitAlerts(alerts);
    return {requestId, std::nullopt, -1, QString()};
}

BudgetAdmission BudgetLedger::reserveOutput(const BudgetSubject &subject, const BudgetOutputDemand &demand,
                                            const QString &requestId)
{
    const qint64 now = m_clock->nowMs();
    const qint64 prompt = qMax<qint64>(0, demand.promptTokens);
    const qint64 wanted = demand.requestedOutput >= 0 ? demand.requestedOutput : qMax<qint64>(0, demand.defaultOutput);
    qint64 granted = wanted;
    QString clampedBy;
    bool spendCapped = false;
    if (demand.clampable) {
        // Read only: nothing changes until reserve() below, which runs before anything else can.
        for (const Group &group : m_rules.groups()) {
            if (!BudgetRuleSet::applies(group, subject))
                continue;
            const QString &field = BudgetRuleSet::fieldOf(group.scope, subject);
            const CounterEntry *entry = nullptr;
            if (group.window != BudgetWindow::Request) {
                const qint64 windowStart = m_counters.currentSpan(group.window, now).start;
                entry = m_counters.find(CounterKeyView{group.counterRule, field, windowStart, group.counterRuleHash});
            }
            for (int r : group.rules) {
                const RuleEntry &rule = m_rules.entry(r);
                spendCapped = spendCapped || rule.rule.maxTokens || rule.rule.maxCostMicros;
                if (rule.rule.overCap != BudgetOverCap::Clamp)
                    continue;
                qint64 room = wanted;
                if (auto denial = outputRoom(rule, field, entry ? &entry->second : nullptr, demand, wanted, now, &room))
                    return {QString(), denial, -1, QString()};
                if (room < granted) {
                    granted = room;
                    clampedBy = rule.rule.displayName();
                }
            }
        }
    }
    const BudgetDemand worst{prompt + granted, PriceTable::costMicros(demand.price, prompt, 0, granted), prompt,
                             PriceTable::costMicros(demand.price, prompt, 0, 0)};
    BudgetAdmission admission = reserve(subject, worst, requestId);
    if (admission.admitted()) {
        admission.outputTokens = granted;
        admission.clampedBy = clampedBy;
        admission.spendCapped = spendCapped;
    }
    return admission;
}

std::optional<BudgetDenial> BudgetLedger::progress(const QString &reservationId, const BudgetDemand &actualSoFar)
{
    const auto found = m_reservations.find(reservationId);
    if (found == m_reservations.end())
        return std::nullopt;
    Reservation &r = found->second;
    if (r.rulesVersion != m_rules.version())
        rebind(r);
    const qint64 now = m_clock->nowMs();
    const BudgetDemand actual = nonNegative(actualSoFar);
    const BudgetAmounts delta{actual.tokens - r.actual.tokens, actual.costMicros - r.actual.costMicros, 0};
    // Usage past the worst case is held too, so other requests' admission sees it at once.
    const BudgetAmounts growth{qMax<qint64>(0, actual.tokens - r.held.tokens),
                               qMax<qint64>(0, actual.costMicros - r.held.costMicros), 0};
    r.actual.tokens = actual.tokens;
    r.actual.costMicros = actual.costMicros;
    r.held = r.held + growth;
    for (Hold &h : r.holds) {
        h.counter->inFlight = h.counter->inFlight + delta;
        h.counter->reserved = h.counter->reserved + growth;
    }
    QList<BudgetAlert> alerts;
    if (delta.tokens != 0 || delta.costMicros != 0)
        collectAlerts(r, delta, now, &alerts);
    auto denial = cutDenial(r, now);
    emitAlerts(alerts);
    return denial;
}

QList<CounterDelta> BudgetLedger::settle(const QString &reservationId, const BudgetDemand &realUsage, bool countRequest)
{
    const auto found = m_reservations.find(reservationId);
    if (found == m_reservations.end())
        return {};
    Reservation &r = found->second;
    if (r.rulesVersion != m_rules.version())
        rebind(r);
    const qint64 now = m_clock->nowMs();
    const BudgetDemand real = nonNegative(realUsage);
    const BudgetAmounts spend{real.tokens, real.costMicros, countRequest ? 1 : 0};
    QList<CounterDelta> deltas;
    deltas.reserve(r.holds.size());
    release(r);
    for (Hold &h : r.holds) {
        h.counter->spent = h.counter->spent + spend;
        deltas.append({*h.key, spend.tokens, spend.costMicros, spend.requests});
    }
    // The counters' spent + in-flight moved from the actual so far (and 1 request in flight) to
    // the real usage (and 1 request spent, if counted).
    QList<BudgetAlert> alerts;
    collectAlerts(r, spend - r.actual - BudgetAmounts{0, 0, 1}, now, &alerts);
    m_reservations.erase(found);
    emitAlerts(alerts);
    return deltas;
}

QList<CounterDelta> BudgetLedger::holdsOf(const QString &reservationId) const
{
    const auto found = m_reservations.find(reservationId);
    if (found == m_reservations.end())
        return {};
    const Reservation &r = found->second;
    QList<CounterDelta> holds;
    for (const Hold &h : r.holds)
        holds.append({*h.key, r.held.tokens, r.held.costMicros, r.held.requests});
    return holds;
}

BudgetRemaining BudgetLedger::tightest(const BudgetSubject &subject) const
{
    const qint64 now = m_clock->nowMs();
    BudgetRemaining best;
    const BudgetRule *bestRule = nullptr;
    double bestFraction = 2;
    for (const Group &group : m_rules.groups()) {
        if (group.window == BudgetWindow::Request || !BudgetRuleSet::applies(group, subject))
            continue;
        const Span span = m_counters.currentSpan(group.window, now);
        const CounterEntry *entry = m_counters.find(
            CounterKeyView{group.counterRule, BudgetRuleSet::fieldOf(group.scope, subject), span.start, group.counterRuleHash});
        const Counter *counter = entry ? &entry->second : nullptr;
        for (int r : group.rules) {
            const BudgetRule &rule = m_rules.entry(r).rule;
            for (int d = 0; d < 3; ++d) {
                const auto cap = capOf(rule, d);
                if (!cap)
                    continue;
                const qint64 used = counter ? dimension(counter->spent, d) + dimension(counter->reserved, d) : 0;
                const qint64 left = qMax<qint64>(0, *cap - used);
                const double fraction = *cap > 0 ? double(left) / double(*cap) : 0;
                if (fraction < bestFraction) {
                    bestFraction = fraction;
                    bestRule = &rule;
                    best = {QString(), *dimensionName(d), left, *cap, d == 1 ? rule.currency : *dimensionName(d), span.end};
                }
            }
        }
    }
    if (bestRule)
        best.ruleName = bestRule->displayName();
    return best;
}

QList<BudgetUsage> BudgetLedger::usage() const
{
    const qint64 now = m_clock->nowMs();
    // One pass over the counters, grouped by rule identity, for the current windows only.
    QHash<QString, QList<std::pair<const CounterKey *, const Counter *>>> current;
    for (const auto &[key, counter] : m_counters.entries()) {
        if (key.windowStart == m_counters.currentSpan(counter.window, now).start)
            current[key.rule].append({&key, &counter});
    }
    QList<BudgetUsage> list;
    list.reserve(m_rules.entries().size());
    for (const RuleEntry &entry : m_rules.entries()) {
        const BudgetRule &rule = entry.rule;
        const Span span = m_counters.currentSpan(rule.window, now);
        BudgetUsage usage{rule, span.start, span.end, {}};
        auto counters = current.value(rule.counterRule());
        std::sort(counters.begin(), counters.end(),
                  [](const auto &a, const auto &b) { return a.first->subject < b.first->subject; });
        for (const auto &[key, counter] : counters) {
            BudgetCounterUsage c{key->subject, counter->spent, counter->reserved, counter->inFlight, 0};
            for (int d = 0; d < 3; ++d) {
                const auto cap = capOf(rule, d);
                const qint64 used = dimension(counter->spent, d) + dimension(counter->inFlight, d);
                if (cap)
                    c.fraction = qMax(c.fraction, *cap > 0 ? double(used) / double(*cap) : (used > 0 ? 1.0 : 0.0));
            }
            usage.counters.append(c);
        }
        // The global counter exists from the first request on; show it at zero before that.
        if (rule.scope == BudgetScope::Global && rule.window != BudgetWindow::Request && usage.counters.isEmpty())
            usage.counters.append(BudgetCounterUsage());
        list.append(usage);
    }
    return list;
}

QJsonArray BudgetLedger::usageJson() const
{
    return BudgetUsageJson::toJson(usage());
}

CounterKey BudgetLedger::keyFor(const BudgetRule &rule, const BudgetSubject &subject) const
{
    return {rule.counterRule(), rule.subjectOf(subject), m_counters.currentSpan(rule.window, m_clock->nowMs()).start};
}

BudgetCounterUsage BudgetLedger::counter(const CounterKey &key) const
{
    const CounterEntry *entry = m_counters.find(key);
    if (!entry)
        return {key.subject, {}, {}, {}, 0};
    return {key.subject, entry->second.spent, entry->second.reserved, entry->second.inFlight, 0};
}

QList<CounterKey> BudgetLedger::counterKeys() const
{
    return m_counters.keys();
}

std::optional<BudgetDenial> BudgetLedger::admissionDenial(const RuleEntry &entry, const QString &subject,
                                                          const Counter *counter, const BudgetAmounts &worst,
                                                          qint64 nowMs) const
{
    for (int d = 0; d < 3; ++d) {
        const qint64 cap = entry.cap[size_t(d)];
        if (cap < 0)
            continue;
        const qint64 spent = counter ? dimension(counter->spent, d) : 0;
        const qint64 reserved = counter ? dimension(counter->reserved, d) : 0;
        const qint64 requested = dimension(worst, d);
        if (spent + reserved + requested <= cap)
            continue;
        BudgetDenial denial{entry.rule, subject, *dimensionName(d), spent, reserved, cap, requested,
                            m_counters.currentSpan(entry.rule.window, nowMs).end, QString()};
        denial.message = BudgetMessages::refused(denial, nowMs);
        return denial;
    }
    return std::nullopt;
}

std::optional<BudgetDenial> BudgetLedger::perRequestDenial(const BudgetRule &rule, const QString &subject,
                                                           const BudgetDemand &worst) const
{
    // Only what the request cannot shrink is refused up front; the rest is cut by progress().
    const BudgetAmounts unavoidable{worst.promptTokens, worst.promptCostMicros, 1};
    for (int d = 0; d < 3; ++d) {
        const auto cap = capOf(rule, d);
        if (!cap || dimension(unavoidable, d) <= *cap)
            continue;
        BudgetDenial denial{rule, subject, *dimensionName(d), 0, 0, *cap, dimension(unavoidable, d), 0, QString()};
        denial.message = BudgetMessages::refusedPerRequest(denial);
        return denial;
    }
    return std::nullopt;
}

std::optional<BudgetDenial> BudgetLedger::outputRoom(const RuleEntry &entry, const QString &subject,
                                                    const Counter *counter, const BudgetOutputDemand &demand,
                                                    qint64 wanted, qint64 nowMs, qint64 *room) const
{
    const qint64 prompt = qMax<qint64>(0, demand.promptTokens);
    const BudgetRule &rule = entry.rule;
    *room = wanted;
    for (int d = 0; d < 2; ++d) {
        const qint64 cap = entry.cap[size_t(d)];
        if (cap < 0)
            continue;
        const qint64 spent = counter ? dimension(counter->spent, d) : 0;
        const qint64 reserved = counter ? dimension(counter->reserved, d) : 0;
        const qint64 left = cap - spent - reserved;
        const qint64 fits = d == 0 ? qMin(wanted, left - prompt) : largestAffordable(demand, prompt, left, wanted);
        if (fits >= wanted)
            continue;
        if (fits < 0 || fits < rule.minOutputTokens) {
            const qint64 floor = qMin(wanted, rule.minOutputTokens);
            const qint64 needed = d == 0 ? prompt + floor : PriceTable::costMicros(demand.price, prompt, 0, floor);
            const qint64 reset = rule.window == BudgetWindow::Request ? 0 : m_counters.currentSpan(rule.window, nowMs).end;
            BudgetDenial denial{rule, subject, *dimensionName(d), spent, reserved, cap, needed, reset, QString()};
            denial.message = BudgetMessages::spentDown(denial, prompt, floor, nowMs);
            return denial;
        }
        *room = qMin(*room, fits);
    }
    return std::nullopt;
}

std::optional<BudgetDenial> BudgetLedger::cutDenial(const Reservation &r, qint64 nowMs) const
{
    // Only tokens and cost: the request was already counted when it was admitted, and cutting it
    // would not un-make it.
    for (const Check &check : r.checks) {
        const RuleEntry &entry = m_rules.entry(check.rule);
        for (int d = 0; d < 2; ++d) {
            const qint64 cap = entry.cap[size_t(d)];
            if (cap < 0)
                continue;
            const BudgetRule &rule = entry.rule;
            if (check.hold < 0) {
                if (dimension(r.actual, d) <= cap)
                    continue;
                BudgetDenial denial{rule, rule.subjectOf(r.subject), *dimensionName(d), 0, 0, cap,
                                    dimension(r.actual, d), 0, QString()};
                denial.message = BudgetMessages::cutPerRequest(denial);
                return denial;
            }
            const Hold &h = r.holds.at(check.hold);
            const qint64 used = dimension(h.counter->spent, d) + dimension(h.counter->inFlight, d);
            if (used <= cap)
                continue;
            const qint64 reset = rule.window == BudgetWindow::Total ? 0 : BudgetClock::windowEnd(rule.window, h.key->windowStart);
            BudgetDenial denial{rule, h.key->subject, *dimensionName(d), used,
                                dimension(h.counter->reserved, d), cap, dimension(r.actual, d), reset, QString()};
            denial.message = BudgetMessages::cut(denial, nowMs);
            return denial;
        }
    }
    return std::nullopt;
}

void BudgetLedger::hold(Reservation &r, int group, qint64 windowStart, CounterEntry *entry)
{
    const Group &g = m_rules.groups().at(group);
    int index = -1;
    if (g.window != BudgetWindow::Request) {
        if (!entry)
            entry = &m_counters.obtain({g.counterRule, BudgetRuleSet::fieldOf(g.scope, r.subject), windowStart, g.counterRuleHash}, g.window);
        Counter &counter = entry->second;
        counter.reserved = counter.reserved + r.held;
        counter.inFlight = counter.inFlight + BudgetAmounts{r.actual.tokens, r.actual.costMicros, 1};
        ++counter.holders;
        index = int(r.holds.size());
        r.holds.append({&entry->first, &counter});
    }
    for (int rule : g.rules)
        r.checks.append({rule, index});
}

void BudgetLedger::rebind(Reservation &r)
{
    // Rules changed while the request was in flight: check it against the new set. Holds of
    // removed rules stay (their counter still gets the spend); new rules start holding now.
    r.checks.clear();
    for (int g = 0; g < m_rules.groups().size(); ++g) {
        const Group &group = m_rules.groups().at(g);
        if (!BudgetRuleSet::applies(group, r.subject))
            continue;
        if (group.window == BudgetWindow::Request) {
            hold(r, g, 0, nullptr);
            continue;
        }
        const CounterKeyView key{group.counterRule, BudgetRuleSet::fieldOf(group.scope, r.subject), m_counters.startAt(group.window, r.reservedAtMs),
                                 group.counterRuleHash};
        int existing = -1;
        for (int i = 0; i < r.holds.size() && existing < 0; ++i) {
            if (BudgetCounters::matches(key, *r.holds.at(i).key))
                existing = i;
        }
        if (existing < 0) {
            hold(r, g, key.windowStart, m_counters.find(key));
        } else {
            for (int rule : group.rules)
                r.checks.append({rule, existing});
        }
    }
    r.rulesVersion = m_rules.version();
}

void BudgetLedger::release(Reservation &r)
{
    for (Hold &h : r.holds) {
        h.counter->reserved = h.counter->reserved - r.held;
        h.counter->inFlight = h.counter->inFlight - BudgetAmounts{r.actual.tokens, r.actual.costMicros, 1};
        --h.counter->holders;
    }
}

void BudgetLedger::collectAlerts(const Reservation &r, const BudgetAmounts &delta, qint64 nowMs,
                                 QList<BudgetAlert> *alerts)
{
    for (const Check &check : r.checks) {
        if (check.hold < 0)
            continue;
        const RuleEntry &entry = m_rules.entry(check.rule);
        Counter *counter = r.holds.at(check.hold).counter;
        const BudgetAmounts after = counter->spent + counter->inFlight;
        quint8 level = 0;
        int levelDimension = 0;
        for (int d = 0; d < 3; ++d) {
            const qint64 cap = entry.cap[size_t(d)];
            const qint64 change = dimension(delta, d);
            if (cap <= 0 || change <= 0)
                continue;
            const qint64 now = dimension(after, d);
            const qint64 was = now - change;
            const qint64 threshold = entry.alertThreshold[size_t(d)];
            const quint8 crossed = (was < cap && now >= cap) ? CapLevel : (was < threshold && now >= threshold) ? AlertLevel : 0;
            if (crossed > level) {
                level = crossed;
                levelDimension = d;
            }
        }
        if (level == 0)
            continue;
        auto fired = std::find_if(counter->alerted.begin(), counter->alerted.end(),
                                  [&](const auto &a) { return a.first == entry.alertId; });
        if (fired == counter->alerted.end()) {
            counter->alerted.append({entry.alertId, 0});
            fired = counter->alerted.end() - 1;
        }
        // One alert per level; reaching the cap also covers a threshold jumped over.
        if ((level == AlertLevel && fired->second != 0) || (fired->second & CapLevel))
            continue;
        fired->second |= (level == CapLevel ? (AlertLevel | CapLevel) : AlertLevel);
        const BudgetRule &rule = entry.rule;
        const Hold &h = r.holds.at(check.hold);
        const qint64 cap = entry.cap[size_t(levelDimension)];
        const qint64 spent = dimension(after, levelDimension);
        BudgetAlert alert{rule, h.key->subject, *dimensionName(levelDimension), double(spent) / double(cap),
                          level == CapLevel, spent, cap,
                          rule.window == BudgetWindow::Total ? 0 : BudgetClock::windowEnd(rule.window, h.key->windowStart),
                          QString()};
        alert.message = BudgetMessages::alert(alert, nowMs);
        alerts->append(alert);
    }
}

void BudgetLedger::emitAlerts(const QList<BudgetAlert> &alerts) const
{
    if (!m_alertCallback)
        return;
    for (const BudgetAlert &alert : alerts)
        m_alertCallback(alert);
}
