#include "LoopDetector.h"

#include "HandoffLedger.h"
#include "LoopEvidence.h"
#include "PromptDigest.h"
#include "RateWindow.h"
#include "Shingles.h"
#include "ToolCallTrail.h"
#include "budget/BudgetFormat.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_map>

namespace {
constexpr std::size_t kSketchSize = 64;     // bottom-k MinHash per side: about ±4 % on a similarity near 90 %
constexpr std::size_t kPromptHistory = 32;  // near-duplicates are looked for among the last 32 requests
constexpr int kSweepEvery = 1024;
} // namespace

struct LoopDetector::State
{
    // A request's latest turns as two sketches: both sides must be alike for a repeat, so a
    // boilerplate block in every tool result (Claude Code's reminders) cannot make varied work
    // look repeated, nor the same short answer to different calls.
    struct Prompt
    {
        qint64 atMs = 0;
        Shingles::Set input;
        Shingles::Set assistant;
        bool isEmpty() const { return input.empty() && assistant.empty(); }
    };

    static double similarity(const Prompt &a, const Prompt &b)
    {
        return qMin(Shingles::resemblance(a.input, b.input, kSketchSize), Shingles::resemblance(a.assistant, b.assistant, kSketchSize));
    }
    struct Session
    {
        QString tenant;
        const LoopSettings *settings = nullptr;
        int generation = -1;
        qint64 firstSeenMs = 0;
        qint64 lastSeenMs = 0;
        qint64 trippedAtMs = -1;
        int requests = 0;
        RateWindow recent{250};
        RateWindow baseline{10000};
        RateWindow spend{1000};
        std::deque<Prompt> prompts;
        ToolCallTrail tools;
    };

    LoopDetectionConfig config;
    int generation = 0;
    qint64 longestWindowMs = 0;
    std::unordered_map<QString, Session> sessions;
    HandoffLedger handoffs;
    int sinceSweep = 0;

    const LoopSettings &settingsOf(Session &s, const QString &session, const QString &tenant)
    {
        if (s.generation != generation || s.tenant != tenant) {
            s.settings = &config.settingsFor(session, tenant);
            s.generation = generation;
            s.tenant = tenant;
        }
        return *s.settings;
    }

    // The session's state, made when new; room is made first when the bound is reached.
    Session &touch(const QString &session, qint64 atMs)
    {
        if (++sinceSweep >= kSweepEvery)
            sweep(atMs);
        auto it = sessions.find(session);
        if (it == sessions.end()) {
            if (int(sessions.size()) >= config.maxSessions)
                makeRoom(atMs);
            it = sessions.emplace(session, Session()).first;
            it->second.firstSeenMs = atMs;
        }
        it->second.lastSeenMs = qMax(it->second.lastSeenMs, atMs);
        return it->second;
    }

    // Sessions idle past the longest window hold nothing any signal still reads.
    void sweep(qint64 nowMs)
    {
        sinceSweep = 0;
        for (auto it = sessions.begin(); it != sessions.end();) {
            if (it->second.lastSeenMs < nowMs - longestWindowMs)
                it = sessions.erase(it);
            else
                ++it;
        }
    }

    void makeRoom(qint64 nowMs)
    {
        sweep(nowMs);
        if (int(sessions.size()) < config.maxSessions)
            return;
        // Still full: the eighth idle the longest goes, so this runs once per many new sessions.
        std::vector<std::pair<qint64, QString>> byAge;
        byAge.reserve(sessions.size());
        for (const auto &[name, s] : sessions)
            byAge.emplace_back(s.lastSeenMs, name);
        const std::size_t drop = std::max<std::size_t>(1, byAge.size() / 8);
        std::nth_element(byAge.begin(), byAge.begin() + qsizetype(drop - 1), byAge.end());
        for (std::size_t i = 0; i < drop; ++i)
            sessions.erase(byAge[i].second);
    }

    static void reset(Session &s)
    {
        s.trippedAtMs = -1;
        s.requests = 0;
        s.recent.clear();
        s.baseline.clear();
        s.spend.clear();
        s.prompts.clear();
        s.tools.clear();
    }

    // A tripped session stays quiet (its breaker holds) until its cooldown ends, then starts clean.
    static bool stillTripped(Session &s, const LoopSettings &settings, qint64 nowMs)
    {
        if (s.trippedAtMs < 0)
            return false;
        if (settings.cooldownSeconds > 0 && nowMs - s.trippedAtMs >= qint64(settings.cooldownSeconds) * 1000) {
            reset(s);
            s.firstSeenMs = nowMs;
            return false;
        }
        return true;
    }

    static LoopTrip trip(Session &s, const LoopSettings &settings, const QString &session, const QString &signal,
                         const QString &evidence, qint64 nowMs)
    {
        s.trippedAtMs = nowMs;
        return LoopTrip{signal, evidence, {session}, settings.warnOnly, settings.cooldownSeconds};
    }

    std::optional<QString> velocity(const Session &s, const LoopSettings &c, qint64 nowMs) const
    {
        const qint64 windowMs = qint64(c.velocityWindow) * 1000;
        const RateWindow::Sum recent = s.recent.sum(nowMs - windowMs, nowMs + 1);
        if (recent.requests < c.velocityMinRequests)
            return std::nullopt;
        // The session's own rate before the window, over as much of the baseline as it has lived.
        const qint64 baseEnd = nowMs - windowMs;
        const qint64 covered = qBound<qint64>(0, baseEnd - s.firstSeenMs, qint64(c.velocityBaseline) * 1000);
        const qint64 before = covered > 0 ? s.baseline.sum(baseEnd - covered, baseEnd).requests : 0;
        // A history of a few seconds is no history: a steady service one bucket old would look
        // ten times faster than its first fraction of a second. It takes six windows of it.
        const bool hasHistory = before > 0 && covered >= qMin<qint64>(qint64(c.velocityBaseline) * 1000, 6 * windowMs);
        if (!hasHistory && recent.requests < c.velocityMinRequestsWithoutHistory)
            return std::nullopt;
        const double baseRate = covered > 0 ? double(before) / double(qMax(covered, windowMs) / 1000.0) : 0.0;
        const double rate = double(recent.requests) / double(c.velocityWindow);
        if (rate < c.velocityFactor * baseRate)
            return std::nullopt;
        const QString history = before == 0
            ? QStringLiteral("none in the previous %1").arg(LoopEvidence::period(c.velocityBaseline))
            : QStringLiteral("%1 a second over the previous %2").arg(QString::number(baseRate, 'f', baseRate < 1 ? 2 : 1))
                  .arg(LoopEvidence::period(int(covered / 1000)));
        return QStringLiteral("%1 requests in %2 s, against %3").arg(recent.requests).arg(LoopEvidence::seconds(nowMs - recent.firstMs), history);
    }

    std::optional<QString> repetition(const Session &s, const LoopSettings &c, const Prompt &prompt, qint64 nowMs) const
    {
        if (prompt.isEmpty() || s.prompts.empty())
            return std::nullopt;
        const qint64 since = nowMs - qint64(c.repetitionWindow) * 1000;
        int alike = 1;
        qint64 first = nowMs;
        for (const Prompt &p : s.prompts) {
            if (p.atMs >= since && similarity(p, prompt) >= c.repetitionSimilarity) {
                ++alike;
                first = qMin(first, p.atMs);
            }
        }
        if (alike < c.repetitionCount)
            return std::nullopt;
        const double last = similarity(s.prompts.back(), prompt);
        return QStringLiteral("%1 near-identical requests in %2 s; last two prompts %3 % similar")
            .arg(alike).arg(LoopEvidence::seconds(nowMs - first)).arg(int(last * 100.0));
    }
};

LoopDetector::LoopDetector() : d(std::make_unique<State>())
{
    d->longestWindowMs = d->config.longestWindowMs();
}

LoopDetector::~LoopDetector() = default;

void LoopDetector::setConfig(const LoopDetectionConfig &config)
{
    d->config = config;
    ++d->generation;
    d->longestWindowMs = config.longestWindowMs();
    while (int(d->sessions.size()) > config.maxSessions)
        d->makeRoom(std::numeric_limits<qint64>::min() / 2); // a smaller bound: the idlest go
}

const LoopDetectionConfig &LoopDetector::config() const
{
    return d->config;
}

std::optional<LoopTrip> LoopDetector::observeRequest(const LoopRequest &request)
{
    const PromptDigest digest = PromptDigest::read(request.endpoint, request.body);
    if (!digest.counted)
        return std::nullopt;
    const LoopSettings &probe = d->config.settingsFor(request.session, request.tenant);
    if (!probe.enabled)
        return std::nullopt;
    const qint64 now = request.atMs;
    State::Session &s = d->touch(request.session, now);
    const LoopSettings &c = d->settingsOf(s, request.session, request.tenant);
    if (State::stillTripped(s, c, now))
        return std::nullopt;

    const bool first = s.requests++ == 0;
    s.recent.add(now, 1);
    s.baseline.add(now, 1);
    s.recent.prune(now - qint64(c.velocityWindow) * 1000);
    s.baseline.prune(now - qint64(c.velocityWindow + c.velocityBaseline) * 1000);

    if (c.pingPongEnabled) {
        const std::optional<HandoffLedger::Finding> f = d->handoffs.input(request.session, digest.latestInput, now,
                                                                          qint64(c.pingPongWindow) * 1000, c.pingPongHandoffs,
                                                                          c.pingPongContainment);
        if (f) {
            // Both sessions of the pair trip: either alone would carry on with the other.
            auto partner = d->sessions.find(f->partner);
            if (partner != d->sessions.end())
                partner->second.trippedAtMs = now;
            LoopTrip t = State::trip(s, c, request.session, QStringLiteral("ping_pong"), f->evidence, now);
            t.sessions.append(f->partner);
            return t;
        }
    }
    if (c.toolEnabled) {
        const qint64 since = now - qint64(c.toolWindow) * 1000;
        s.tools.add(digest.toolCalls, now, first);
        s.tools.prune(since);
        std::optional<ToolCallTrail::Finding> f = s.tools.repeated(since, now, c.toolRepeatCount);
        if (!f)
            f = s.tools.cycle(since, now, c.toolCycleRepeats);
        if (f)
            return State::trip(s, c, request.session, f->signal, f->evidence, now);
    }
    if (c.repetitionEnabled) {
        State::Prompt prompt{now, Shingles::sketch(Shingles::of(digest.latestInput, PromptDigest::MaxTextChars), kSketchSize),
                             Shingles::sketch(Shingles::of(digest.latestAssistant, PromptDigest::MaxTextChars), kSketchSize)};
        const std::optional<QString> evidence = d->repetition(s, c, prompt, now);
        if (!prompt.isEmpty()) {
            s.prompts.push_back(std::move(prompt));
            if (s.prompts.size() > kPromptHistory)
                s.prompts.pop_front();
        }
        if (evidence)
            return State::trip(s, c, request.session, QStringLiteral("repetition"), *evidence, now);
    }
    if (c.velocityEnabled) {
        if (const std::optional<QString> evidence = d->velocity(s, c, now))
            return State::trip(s, c, request.session, QStringLiteral("velocity"), *evidence, now);
    }
    return std::nullopt;
}

void LoopDetector::observeOutput(const QString &session, const QString &tenant, const QString &text, qint64 atMs)
{
    const LoopSettings &c = d->config.settingsFor(session, tenant);
    if (c.enabled && c.pingPongEnabled)
        d->handoffs.output(session, text, atMs);
}

std::optional<LoopTrip> LoopDetector::observeSpend(const QString &session, const QString &tenant, qint64 tokens, qint64 costMicros, qint64 atMs)
{
    const LoopSettings &probe = d->config.settingsFor(session, tenant);
    if (!probe.enabled || !probe.spendEnabled)
        return std::nullopt;
    State::Session &s = d->touch(session, atMs);
    const LoopSettings &c = d->settingsOf(s, session, tenant);
    if (State::stillTripped(s, c, atMs))
        return std::nullopt;
    const qint64 windowMs = qint64(c.spendWindow) * 1000;
    s.spend.add(atMs, 0, qMax<qint64>(0, tokens), qMax<qint64>(0, costMicros));
    s.spend.prune(atMs - windowMs);
    const RateWindow::Sum sum = s.spend.sum(atMs - windowMs, atMs + 1);
    // The ceilings are per minute; a window of another length is held to its share of them.
    const double share = double(c.spendWindow) / 60.0;
    if (c.spendTokensPerMinute > 0 && double(sum.tokens) > double(c.spendTokensPerMinute) * share) {
        return State::trip(s, c, session, QStringLiteral("spend_velocity"),
                           QStringLiteral("%1 tokens in %2 s, over the ceiling of %3 a minute")
                               .arg(BudgetFormat::count(sum.tokens)).arg(c.spendWindow).arg(BudgetFormat::count(c.spendTokensPerMinute)), atMs);
    }
    if (c.spendCostMicrosPerMinute > 0 && double(sum.costMicros) > double(c.spendCostMicrosPerMinute) * share) {
        // Costs are kept in the price table's currency, USD unless it says otherwise.
        return State::trip(s, c, session, QStringLiteral("spend_velocity"),
                           QStringLiteral("%1 in %2 s, over the ceiling of %3 a minute")
                               .arg(BudgetFormat::money(sum.costMicros, QStringLiteral("USD"))).arg(c.spendWindow)
                               .arg(BudgetFormat::money(c.spendCostMicrosPerMinute, QStringLiteral("USD"))), atMs);
    }
    return std::nullopt;
}

void LoopDetector::seedHistory(const QString &session, const QString &tenant, qint64 requests, qint64 fromMs, qint64 toMs)
{
    if (requests <= 0 || toMs <= fromMs || d->sessions.count(session))
        return;
    State::Session &s = d->touch(session, fromMs);
    s.tenant = tenant;
    s.generation = -1; // settings are looked up at its next request
    s.firstSeenMs = fromMs;
    s.lastSeenMs = toMs; // not idle: it was busy until the restart
    // Spread evenly, one share per 10 s: all the velocity signal reads of the past is a rate.
    constexpr qint64 step = 10000;
    const qint64 shares = qMax<qint64>(1, (toMs - fromMs) / step);
    for (qint64 i = 0; i < shares; ++i) {
        const qint64 share = requests / shares + (i < requests % shares ? 1 : 0);
        if (share > 0)
            s.baseline.add(fromMs + i * step, share);
    }
}

void LoopDetector::forget(const QString &session)
{
    d->sessions.erase(session);
    // Its hand-offs go too, both ways, so a resumed pair starts clean.
    d->handoffs.forget(session);
}

int LoopDetector::trackedSessions() const
{
    return int(d->sessions.size());
}
