#include "RateLimiter.h"

#include "BudgetFormat.h"

#include <algorithm>

namespace {

QString who(const RateLimitRule &rule, const QString &subject)
{
    return BudgetFormat::subject(rule.scope, subject);
}

} // namespace

void RateLimiter::setClock(const BudgetClock *clock)
{
    m_clock = clock ? clock : &m_systemClock;
}

void RateLimiter::setRules(const QList<RateLimitRule> &rules)
{
    m_rules = rules;
}

RateAdmission RateLimiter::admit(const BudgetSubject &subject, qint64 worstTokens)
{
    const qint64 now = m_clock->nowMs();
    worstTokens = qMax<qint64>(0, worstTokens);
    if (now >= m_nextSweepMs)
        sweep(now);

    // Check every rule first. All rules of one scope count into the same queue (the subject's),
    // so at most two queues take the request: the tenant's and the session's.
    struct Pending
    {
        BudgetScope scope;
        const QString *subject;
        Window *window;  // null: the subject has no queue yet
    };
    QVarLengthArray<Pending, 2> pending;
    std::optional<RateDenial> denial;
    for (const RateLimitRule &rule : m_rules) {
        if (!rule.appliesTo(subject))
            continue;
        const QString &name = rule.subjectOf(subject);
        auto queued = std::find_if(pending.begin(), pending.end(), [&](const Pending &p) { return p.scope == rule.scope; });
        if (queued == pending.end()) {
            const auto found = m_windows.find(WindowKey{rule.scope, name});
            pending.append({rule.scope, &name, found == m_windows.end() ? nullptr : &found->second});
            queued = pending.end() - 1;
            if (queued->window)
                prune(*queued->window, now);
        }
        if (auto refused = check(rule, name, queued->window, worstTokens, now)) {
            if (!denial || refused->retryAfterMs > denial->retryAfterMs)
                denial = std::move(refused);
        }
    }
    if (denial)
        return {0, denial};

    const quint64 id = m_nextTicket++;
    Ticket &ticket = *m_tickets.emplace(id);
    for (const Pending &p : pending) {
        Window &window = p.window ? *p.window : m_windows[WindowKey{p.scope, *p.subject}];
        window.entries.push_back({now, worstTokens});
        window.tokens += worstTokens;
        ++window.concurrent;
        ticket.parts.append({&window, window.firstSeq + window.entries.size() - 1});
    }
    return {id, std::nullopt};
}

void RateLimiter::release(quint64 ticketId, qint64 realTokens)
{
    const auto found = m_tickets.find(ticketId);
    if (found == m_tickets.end())
        return;
    realTokens = qMax<qint64>(0, realTokens);
    for (const auto &[window, seq] : found->parts) {
        --window->concurrent;
        if (seq >= window->firstSeq) {
            Entry &entry = window->entries[size_t(seq - window->firstSeq)];
            window->tokens += realTokens - entry.tokens;
            entry.tokens = realTokens;
        }
    }
    m_tickets.erase(found);
}

RateRemaining RateLimiter::remaining(const BudgetSubject &subject) const
{
    const qint64 now = m_clock->nowMs();
    RateRemaining left;
    for (const RateLimitRule &rule : m_rules) {
        if (!rule.appliesTo(subject) || (!rule.rpm && !rule.tpm))
            continue;
        const auto found = m_windows.find({rule.scope, rule.subjectOf(subject)});
        const auto [requests, tokens] = found == m_windows.end() ? std::pair<qint64, qint64>{0, 0}
                                                                 : liveCounts(found->second, now);
        if (rule.rpm) {
            const qint64 r = qMax<qint64>(0, *rule.rpm - requests);
            left.requests = left.requests < 0 ? r : qMin(left.requests, r);
        }
        if (rule.tpm) {
            const qint64 t = qMax<qint64>(0, *rule.tpm - tokens);
            left.tokens = left.tokens < 0 ? t : qMin(left.tokens, t);
        }
    }
    return left;
}

qsizetype RateLimiter::trackedEntries() const
{
    qsizetype total = 0;
    for (const auto &[key, window] : m_windows)
        total += qsizetype(window.entries.size());
    return total;
}

void RateLimiter::prune(Window &window, qint64 nowMs)
{
    while (!window.entries.empty() && window.entries.front().atMs <= nowMs - WindowMs) {
        window.tokens -= window.entries.front().tokens;
        window.entries.pop_front();
        ++window.firstSeq;
    }
}

std::pair<qint64, qint64> RateLimiter::liveCounts(const Window &window, qint64 nowMs)
{
    qint64 requests = qint64(window.entries.size());
    qint64 tokens = window.tokens;
    for (const Entry &entry : window.entries) {
        if (entry.atMs > nowMs - WindowMs)
            break;
        --requests;
        tokens -= entry.tokens;
    }
    return {requests, tokens};
}

std::optional<RateDenial> RateLimiter::check(const RateLimitRule &rule, const QString &subject, const Window *window,
                                             qint64 worstTokens, qint64 nowMs) const
{
    const qint64 requests = window ? qint64(window->entries.size()) : 0;
    const qint64 tokens = window ? window->tokens : 0;
    std::optional<RateDenial> worst;
    auto consider = [&](RateDenial denial) {
        denial.retryAfterMs = qMax<qint64>(1, denial.retryAfterMs);
        if (!worst || denial.retryAfterMs > worst->retryAfterMs)
            worst = denial;
    };

    if (rule.rpm && requests + 1 > *rule.rpm) {
        // Room for one more once the oldest (requests - rpm + 1) entries have left the window.
        const qint64 leaving = requests - *rule.rpm;
        const qint64 retry = window->entries[size_t(leaving)].atMs + WindowMs - nowMs;
        RateDenial d{rule, subject, QStringLiteral("requests per minute"), *rule.rpm, requests, retry, QString()};
        d.message = QStringLiteral("Rate limit for %1: %2 requests per minute reached; retry in %3.")
                        .arg(who(rule, subject), BudgetFormat::count(*rule.rpm), BudgetFormat::duration(qMax<qint64>(1, retry)));
        consider(d);
    }
    if (rule.tpm && tokens + worstTokens > *rule.tpm) {
        RateDenial d{rule, subject, QStringLiteral("tokens per minute"), *rule.tpm, tokens, WindowMs, QString()};
        if (worstTokens > *rule.tpm) {
            d.message = QStringLiteral("Rate limit for %1: this request may use up to %2 tokens, more than the %3 "
                                       "tokens per minute allowed; lower max_tokens or shorten the prompt.")
                            .arg(who(rule, subject), BudgetFormat::count(worstTokens), BudgetFormat::count(*rule.tpm));
        } else {
            qint64 remaining = tokens;
            for (const Entry &entry : window->entries) {
                remaining -= entry.tokens;
                if (remaining + worstTokens <= *rule.tpm) {
                    d.retryAfterMs = entry.atMs + WindowMs - nowMs;
                    break;
                }
            }
            d.message = QStringLiteral("Rate limit for %1: %2 tokens per minute reached (%3 counted, this request "
                                       "may use up to %4); retry in %5.")
                            .arg(who(rule, subject), BudgetFormat::count(*rule.tpm), BudgetFormat::count(tokens),
                                 BudgetFormat::count(worstTokens),
                                 BudgetFormat::duration(qMax<qint64>(1, d.retryAfterMs)));
        }
        consider(d);
    }
    const qint64 running = window ? window->concurrent : 0;
    if (rule.concurrency && running + 1 > *rule.concurrency) {
        RateDenial d{rule, subject, QStringLiteral("concurrent requests"), *rule.concurrency, running,
                     ConcurrencyRetryMs, QString()};
        d.message = QStringLiteral("Rate limit for %1: %2 concurrent requests reached; retry when one has finished "
                                   "(in about %3).")
                        .arg(who(rule, subject), BudgetFormat::count(*rule.concurrency),
                             BudgetFormat::duration(ConcurrencyRetryMs));
        consider(d);
    }
    return worst;
}

void RateLimiter::sweep(qint64 nowMs)
{
    // Subjects with nothing in the window and nothing running are forgotten; a ticket never points
    // at a forgotten window because a running request keeps `concurrent` above zero.
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        prune(it->second, nowMs);
        const bool idle = it->second.entries.empty() && it->second.concurrent == 0;
        it = idle ? m_windows.erase(it) : std::next(it);
    }
    m_nextSweepMs = nowMs + WindowMs;
}
