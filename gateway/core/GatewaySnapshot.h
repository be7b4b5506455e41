#pragma once

#include "accounting/UsageRecord.h"
#include "budget/BudgetUsage.h"
#include "session/SessionView.h"
#include "upstream/UpstreamView.h"

#include <QList>
#include <QMetaType>
#include <QString>

// Requests that ended in one interval, by how they ended: what the console's request chart stacks.
struct OutcomeCounts
{
    enum class Kind { Ok, BudgetRefused, RateLimited, Blocked, UpstreamError, OtherError };

    qint64 ok = 0;             // answered by the upstream (or simulator) without error
    qint64 budgetRefused = 0;  // 402: a budget cap
    qint64 rateLimited = 0;    // 429: a rate limit
    qint64 blocked = 0;        // 403: a session, tenant or stop-all breaker
    qint64 upstreamErrors = 0; // 5xx, or an upstream that failed, hung or vanished mid-stream
    qint64 otherErrors = 0;    // the client's own errors (other 4xx) and clients that went away

    qint64 total() const { return ok + budgetRefused + rateLimited + blocked + upstreamErrors + otherErrors; }
    qint64 &operator[](Kind kind);
    qint64 operator[](Kind kind) const { return const_cast<OutcomeCounts &>(*this)[kind]; }
    bool operator==(const OutcomeCounts &) const = default;
};

// One model's or tenant's share of what was spent in one interval.
struct SpendSlice
{
    QString key;
    qint64 requests = 0;
    qint64 tokens = 0;
    qint64 costMicros = 0;
};

// What the gateway publishes to the console a few times a second: a copyable value, so it crosses
// from the gateway thread to the GUI thread by a queued signal without sharing anything.
struct GatewaySnapshot
{
    enum class State { Stopped, Starting, Running, Failed };

    State state = State::Stopped;
    QString listenAddress;      // "127.0.0.1:8400"
    QString error;              // why it failed, when state == Failed
    bool simulatorOnly = false; // no upstream configured: every model is served by the simulator
    QStringList upstreams;      // names, in routing order
    QString storeProblem;       // why the usage store cannot write (requests are refused meanwhile); empty when it can
    qint64 takenAtMs = 0;

    // Totals since start.
    qint64 requestsTotal = 0;
    qint64 requestsFailed = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 costMicros = 0;
    // Right now.
    int inFlight = 0;
    int openConnections = 0;
    // Since the previous snapshot (for rates and charts).
    qint64 requestsDelta = 0;
    qint64 tokensDelta = 0;
    qint64 costMicrosDelta = 0;
    qint64 latencyP50Ms = -1;   // of requests that ended since the previous snapshot
    qint64 latencyP95Ms = -1;
    qint64 latencyP99Ms = -1;
    qint64 ttftP50Ms = -1;      // time to first token, of streams that ended since the previous snapshot
    qint64 ttftP95Ms = -1;
    OutcomeCounts outcomesDelta;
    // Spend since the previous snapshot by model and by tenant, largest first; at most
    // MaxSlices each, the rest summed under "other".
    static constexpr int MaxSlices = 8;
    QList<SpendSlice> byModelDelta;
    QList<SpendSlice> byTenantDelta;
    // The requests that ended since the previous snapshot, oldest first: at most MaxRecorded of
    // them, the latest; recordedSkipped says how many more there were.
    static constexpr int MaxRecorded = 250;
    QList<UsageRecord> recorded;
    qint64 recordedSkipped = 0;

    // Today (local time): spend since midnight, stored and live, and the smallest cost cap a
    // global daily budget puts on it (-1: none).
    qint64 dayStartMs = 0;
    qint64 spentTodayMicros = 0;
    qint64 dayCapMicros = -1;
    QString dayCapRule;
    QString currency = QStringLiteral("USD");

    // Every budget rule with its counters in the current window (each rule's fullest counters
    // first, at most MaxCountersPerRule), and where the rules come from.
    static constexpr int MaxCountersPerRule = 200;
    QList<BudgetUsage> budgets;
    QString budgetsSource;      // the config file's path when its "budgets" are in force; empty: the store

    // The sessions that matter, most recent first: every one active in the last few minutes, in
    // flight, tripped or killed, then the latest others up to a bound (SessionBook::views).
    QList<SessionView> sessions;
    int sessionsKnown = 0;      // how many sessions the gateway knows, shown or not
    int sessionsActive = 0;     // seen in the last few minutes and not blocked
    int sessionsTripped = 0;    // stopped by the loop detector
    int sessionsKilled = 0;     // stopped by hand (a session or its tenant)
    bool stoppedAll = false;    // stop-all is on: every new request is refused until resume-all

    // Every configured upstream in routing order, with its breaker, load and recent figures, and
    // the breaker changes since the previous snapshot (at most MaxTransitions, the latest).
    static constexpr int MaxTransitions = 64;
    QList<UpstreamView> upstreamViews;
    QList<UpstreamTransitionView> upstreamTransitions;
};
Q_DECLARE_METATYPE(GatewaySnapshot)
