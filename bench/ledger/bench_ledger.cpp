// What the budget ledger and the rate limiter cost on the gateway thread: one reserve + settle
// pair per request, one progress() per streamed chunk, one admit + release per request, one
// tightest() per response (for its headers). Figures go to docs/budgets.md.

#include "budget/BudgetLedger.h"
#include "budget/ManualBudgetClock.h"
#include "budget/RateLimiter.h"

#include <QJsonArray>
#include <QJsonObject>

#include <benchmark/benchmark.h>

#include <array>

namespace {

constexpr int Subjects = 64;

// Rules over every scope and calendar window, each with a glob that matches the benchmark's
// subjects, so every rule applies to every request: the worst case for a given rule count. Caps
// are far out of reach: admission always succeeds and all checks run to the end.
QList<BudgetRule> benchRules(int count)
{
    static const std::array<BudgetScope, 4> scopes = {BudgetScope::Tenant, BudgetScope::Session, BudgetScope::Model,
                                                      BudgetScope::Global};
    static const std::array<BudgetWindow, 5> windows = {BudgetWindow::Minute, BudgetWindow::Hour, BudgetWindow::Day,
                                                        BudgetWindow::Month, BudgetWindow::Total};
    static const std::array<QString, 4> prefixes = {QStringLiteral("tenant-"), QStringLiteral("session-"),
                                                    QStringLiteral("model-"), QString()};
    QList<BudgetRule> rules;
    for (int i = 0; i < count; ++i) {
        BudgetRule rule;
        rule.scope = scopes[size_t(i % 4)];
        rule.window = windows[size_t(i / 4 % 5)];
        const QString &prefix = prefixes[size_t(i % 4)];
        rule.match = prefix.left(i / 20) + u'*';
        rule.maxTokens = qint64(1) << 52;
        rule.maxCostMicros = BudgetRule::MaxCostMicros;
        rule.maxRequests = qint64(1) << 52;
        rules.append(rule);
    }
    return rules;
}

BudgetSubject subject(int i)
{
    return {QStringLiteral("tenant-%1").arg(i % 16), QStringLiteral("session-%1").arg(i),
            QStringLiteral("model-%1").arg(i % 4)};
}

QList<QString> requestIds(int count)
{
    QList<QString> ids;
    for (int i = 0; i < count; ++i)
        ids.append(QStringLiteral("req_%1").arg(i, 8, 10, QLatin1Char('0')));
    return ids;
}

void reserveSettle(benchmark::State &state)
{
    BudgetLedger ledger; // the system clock, as in the gateway
    ledger.setRules(benchRules(int(state.range(0))));
    std::array<BudgetSubject, Subjects> subjects;
    for (int i = 0; i < Subjects; ++i)
        subjects[size_t(i)] = subject(i);
    const QList<QString> ids = requestIds(1024);
    const BudgetDemand worst{4096, 12'000, 1000, 3'000};
    const BudgetDemand real{1500, 4'500, 1000, 3'000};
    qint64 n = 0;
    for (auto _ : state) {
        const QString &id = ids[n % ids.size()];
        const BudgetAdmission admission = ledger.reserve(subjects[size_t(n % Subjects)], worst, id);
        benchmark::DoNotOptimize(admission);
        auto deltas = ledger.settle(id, real);
        benchmark::DoNotOptimize(deltas);
        ++n;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(reserveSettle)->Arg(1)->Arg(10)->Arg(50);

// What the gateway calls: spend-down admission. Arg 0 of the pair: rules as above (nothing to
// clamp, every room computed); arg 1 = 1 adds a per-request cost cap that clamps every request,
// so the binary search over the price runs too.
void reserveOutputSettle(benchmark::State &state)
{
    BudgetLedger ledger;
    QList<BudgetRule> rules = benchRules(int(state.range(0)));
    if (state.range(1)) {
        BudgetRule perRequest;
        perRequest.scope = BudgetScope::Session;
        perRequest.window = BudgetWindow::Request;
        perRequest.maxCostMicros = 20'000; // $0.02: room for about 5,700 of the 64,000 asked
        rules.append(perRequest);
    }
    ledger.setRules(rules);
    std::array<BudgetSubject, Subjects> subjects;
    for (int i = 0; i < Subjects; ++i)
        subjects[size_t(i)] = subject(i);
    const QList<QString> ids = requestIds(1024);
    BudgetOutputDemand demand;
    demand.promptTokens = 1000;
    demand.requestedOutput = 64000;
    demand.price.input = 3'000'000;
    demand.price.output = 3'000'000;
    const BudgetDemand real{1500, 4'500, 1000, 3'000};
    qint64 n = 0;
    for (auto _ : state) {
        const QString &id = ids[n % ids.size()];
        const BudgetAdmission admission = ledger.reserveOutput(subjects[size_t(n % Subjects)], demand, id);
        benchmark::DoNotOptimize(admission);
        auto deltas = ledger.settle(id, real);
        benchmark::DoNotOptimize(deltas);
        ++n;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(reserveOutputSettle)->Args({1, 0})->Args({10, 0})->Args({50, 0})->Args({10, 1});

void progressPerChunk(benchmark::State &state)
{
    BudgetLedger ledger;
    ledger.setRules(benchRules(int(state.range(0))));
    // A few streams running at once; each chunk reports the stream's cumulative usage.
    const QList<QString> ids = requestIds(8);
    for (int i = 0; i < ids.size(); ++i)
        ledger.reserve(subject(i), {4096, 12'000, 1000, 3'000}, ids[i]);
    BudgetDemand actual{1000, 3'000, 1000, 3'000};
    qint64 n = 0;
    for (auto _ : state) {
        actual.tokens += 3;
        actual.costMicros += 9;
        auto denial = ledger.progress(ids[n % ids.size()], actual);
        benchmark::DoNotOptimize(denial);
        ++n;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(progressPerChunk)->Arg(0)->Arg(1)->Arg(10)->Arg(50);

void tightestForHeaders(benchmark::State &state)
{
    BudgetLedger ledger;
    ledger.setRules(benchRules(int(state.range(0))));
    for (int i = 0; i < Subjects; ++i) {
        const QString id = QString::number(i);
        ledger.reserve(subject(i), {100, 100, 0, 0}, id);
        ledger.settle(id, {100, 100, 0, 0});
    }
    const BudgetSubject who = subject(7);
    for (auto _ : state) {
        BudgetRemaining remaining = ledger.tightest(who);
        benchmark::DoNotOptimize(remaining);
    }
}
BENCHMARK(tightestForHeaders)->Arg(10);

void rateAdmitRelease(benchmark::State &state)
{
    // One request per simulated millisecond across 64 sessions of 16 tenants: each queue holds
    // about a minute of history, as in steady traffic.
    ManualBudgetClock clock(1'800'000'000'000);
    RateLimiter limiter;
    limiter.setClock(&clock);
    QString error;
    limiter.setRules(*RateLimitRule::listFromJson(
        QJsonArray{QJsonObject{{"scope", "session"}, {"match", "*"}, {"rpm", 1e12}, {"tpm", 1e15}, {"concurrency", 1e6}},
                   QJsonObject{{"scope", "tenant"}, {"match", "*"}, {"rpm", 1e12}, {"tpm", 1e15}}},
        &error));
    std::array<BudgetSubject, Subjects> subjects;
    for (int i = 0; i < Subjects; ++i)
        subjects[size_t(i)] = subject(i);
    qint64 n = 0;
    for (auto _ : state) {
        const RateAdmission admission = limiter.admit(subjects[size_t(n % Subjects)], 4096);
        limiter.release(admission.ticket, 1500);
        clock.advance(1);
        ++n;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(rateAdmitRelease);

} // namespace

BENCHMARK_MAIN();
