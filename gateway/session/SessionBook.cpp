#include "SessionBook.h"

#include "SessionBreakers.h"
#include "accounting/UsageRecord.h"

#include <algorithm>

namespace {
constexpr int MaxModels = 8;

void addModel(QStringList *models, const QString &model)
{
    if (model.isEmpty())
        return;
    models->removeAll(model);
    models->prepend(model);
    while (models->size() > MaxModels)
        models->removeLast();
}
} // namespace

void SessionBook::seed(const QList<SessionTotalsRecord> &totals)
{
    for (const SessionTotalsRecord &t : totals) {
        Entry &e = m_sessions[t.session];
        e.tenant = t.tenant;
        addModel(&e.models, t.model);
        e.requests = t.requests;
        e.promptTokens = t.promptTokens;
        e.completionTokens = t.completionTokens;
        e.costMicros = t.costMicros;
        e.firstSeenMs = t.firstSeenMs;
        e.lastSeenMs = t.lastSeenMs;
    }
    trim();
}

SessionBook::Entry &SessionBook::entry(const QString &session, qint64 nowMs)
{
    auto it = m_sessions.find(session);
    if (it == m_sessions.end()) {
        it = m_sessions.insert(session, Entry{});
        it->firstSeenMs = nowMs;
        if (m_sessions.size() > m_capacity + m_capacity / 8)
            trim();
        it = m_sessions.find(session);
    }
    return *it;
}

void SessionBook::noteRequest(const QString &session, const QString &tenant, const QString &process, const QString &model,
                              const QString &promptPreview, qint64 nowMs)
{
    Entry &e = entry(session, nowMs);
    e.tenant = tenant;
    if (!process.isEmpty())
        e.process = process;
    addModel(&e.models, model);
    if (!promptPreview.isEmpty())
        e.lastPrompt = promptPreview.left(PreviewChars);
    e.lastSeenMs = qMax(e.lastSeenMs, nowMs);
}

void SessionBook::noteProcess(const QString &session, const QString &process)
{
    const auto it = m_sessions.find(session);
    if (it != m_sessions.end() && !process.isEmpty())
        it->process = process;
}

void SessionBook::noteRecorded(const UsageRecord &row)
{
    if (row.session.isEmpty())
        return;
    const qint64 at = row.endedAt > 0 ? row.endedAt : row.startedAt;
    Entry &e = entry(row.session, row.startedAt);
    if (e.tenant.isEmpty())
        e.tenant = row.tenant;
    addModel(&e.models, row.model);
    ++e.requests;
    e.promptTokens += row.promptTokens;
    e.completionTokens += row.completionTokens;
    e.costMicros += row.costMicros;
    e.lastSeenMs = qMax(e.lastSeenMs, at);
    if (row.status == 429)
        e.lastThrottledMs = at;
    const qint64 second = at / 1000;
    Second &s = e.minute[size_t(second % 60)];
    if (s.second != second)
        s = Second{second, 0, 0, 0};
    ++s.requests;
    s.tokens += row.promptTokens + row.completionTokens;
    s.costMicros += row.costMicros;
}

qint64 SessionBook::costOf(const QString &session) const
{
    const auto it = m_sessions.constFind(session);
    return it == m_sessions.cend() ? 0 : it->costMicros;
}

qint64 SessionBook::costOfTenant(const QString &tenant) const
{
    qint64 cost = 0;
    for (const Entry &e : m_sessions) {
        if (e.tenant == tenant)
            cost += e.costMicros;
    }
    return cost;
}

QStringList SessionBook::sessionsOfTenant(const QString &tenant) const
{
    QStringList ids;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        if (it->tenant == tenant)
            ids << it.key();
    }
    return ids;
}

SessionView SessionBook::toView(const QString &id, const Entry &e, const SessionBreakers &breakers, const InFlight &inFlight,
                                qint64 nowMs) const
{
    SessionView v;
    v.id = id;
    v.tenant = e.tenant;
    v.process = e.process;
    v.models = e.models;
    v.requests = e.requests;
    v.promptTokens = e.promptTokens;
    v.completionTokens = e.completionTokens;
    v.costMicros = e.costMicros;
    const qint64 nowSecond = nowMs / 1000;
    for (const Second &s : e.minute) {
        if (s.second >= 0 && nowSecond - s.second < 60) {
            v.requestsPerMinute += s.requests;
            v.tokensPerMinute += s.tokens;
            v.costMicrosPerMinute += s.costMicros;
        }
    }
    v.inFlight = inFlight ? inFlight(id) : 0;
    v.firstSeenMs = e.firstSeenMs;
    v.lastSeenMs = e.lastSeenMs;
    v.lastPrompt = e.lastPrompt;
    const std::optional<SessionBlock> b = breakers.blocking(id, e.tenant, nowMs);
    v.state = stateOf(e, b, nowMs);
    if (b) {
        v.reason = b->scope == SessionBlock::Scope::Session ? b->reason
                 : b->scope == SessionBlock::Scope::Tenant   ? QStringLiteral("tenant %1 killed%2").arg(b->target, b->reason.isEmpty() ? QString() : QStringLiteral(": ") + b->reason)
                                                             : QStringLiteral("stop-all%1").arg(b->reason.isEmpty() ? QString() : QStringLiteral(": ") + b->reason);
        v.stateSinceMs = b->sinceMs;
        v.costAtTripMicros = b->costAtTripMicros;
        v.blockedBy = b->scope == SessionBlock::Scope::Session ? SessionView::BlockedBy::Session
                    : b->scope == SessionBlock::Scope::Tenant  ? SessionView::BlockedBy::Tenant
                                                               : SessionView::BlockedBy::All;
    } else if (v.state == SessionView::State::Throttled) {
        v.reason = QStringLiteral("a rate limit refused a request");
        v.stateSinceMs = e.lastThrottledMs;
    }
    return v;
}

SessionView::State SessionBook::stateOf(const Entry &e, const std::optional<SessionBlock> &block, qint64 nowMs)
{
    if (block)
        return block->killed ? SessionView::State::Killed : SessionView::State::Tripped;
    if (e.lastThrottledMs > 0 && nowMs - e.lastThrottledMs < ThrottledForMs)
        return SessionView::State::Throttled;
    return SessionView::State::Active;
}

QHash<QString, int> SessionBook::countByState(const SessionBreakers &breakers, qint64 nowMs) const
{
    std::array<int, 4> counts{};
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it)
        ++counts[size_t(stateOf(it.value(), breakers.blocking(it.key(), it.value().tenant, nowMs), nowMs))];
    QHash<QString, int> byName;
    for (const auto state : {SessionView::State::Active, SessionView::State::Throttled, SessionView::State::Tripped, SessionView::State::Killed})
        byName.insert(SessionView::stateName(state), counts[size_t(state)]);
    return byName;
}

QList<SessionView> SessionBook::views(const SessionBreakers &breakers, const InFlight &inFlight, qint64 nowMs, int limit,
                                      qint64 recentMs) const
{
    // Those that matter first (in flight, blocked, recent), then the rest by last seen.
    struct Ranked
    {
        bool matters;
        qint64 lastSeen;
        const QString *id;
        const Entry *entry;
    };
    QList<Ranked> ranked;
    ranked.reserve(m_sessions.size());
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        const bool matters = nowMs - it->lastSeenMs < recentMs || (inFlight && inFlight(it.key()) > 0)
            || breakers.blocking(it.key(), it->tenant, nowMs).has_value();
        ranked.append({matters, it->lastSeenMs, &it.key(), &it.value()});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
        if (a.matters != b.matters)
            return a.matters;
        if (a.lastSeen != b.lastSeen)
            return a.lastSeen > b.lastSeen;
        return *a.id < *b.id;
    });
    QList<SessionView> out;
    for (const Ranked &r : ranked) {
        // Even those that matter are bounded: a flood of new sessions must not flood the console.
        if (out.size() >= limit && (!r.matters || out.size() >= HardLimit))
            break;
        out.append(toView(*r.id, *r.entry, breakers, inFlight, nowMs));
    }
    return out;
}

std::optional<SessionView> SessionBook::view(const QString &session, const SessionBreakers &breakers, const InFlight &inFlight,
                                             qint64 nowMs) const
{
    const auto it = m_sessions.constFind(session);
    if (it == m_sessions.cend())
        return std::nullopt;
    return toView(session, *it, breakers, inFlight, nowMs);
}

void SessionBook::trim()
{
    if (m_sessions.size() <= m_capacity)
        return;
    QList<QPair<qint64, QString>> byAge;
    byAge.reserve(m_sessions.size());
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it)
        byAge.append({it->lastSeenMs, it.key()});
    std::sort(byAge.begin(), byAge.end());
    const qsizetype drop = m_sessions.size() - m_capacity;
    for (qsizetype i = 0; i < drop; ++i)
        m_sessions.remove(byAge[i].second);
}
