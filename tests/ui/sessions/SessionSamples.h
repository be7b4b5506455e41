#pragma once

#include "core/GatewaySnapshot.h"
#include "session/SessionView.h"

// Session values for the sessions page tests: one of each state, and a crowd for timing.
namespace SessionSamples {

constexpr qint64 T0 = 1'700'000'000'000;

inline SessionView session(const QString &id, SessionView::State state = SessionView::State::Active, qint64 costMicros = 0,
                           const QString &tenant = QStringLiteral("acme"))
{
    SessionView s;
    s.id = id;
    s.tenant = tenant;
    s.process = QStringLiteral("claude:4242");
    s.models = {QStringLiteral("claude-sonnet-4"), QStringLiteral("claude-haiku-4")};
    s.requests = 12;
    s.promptTokens = 48'000;
    s.completionTokens = 3'200;
    s.costMicros = costMicros;
    s.requestsPerMinute = 4;
    s.tokensPerMinute = 12'400;
    s.costMicrosPerMinute = costMicros / 10;
    s.firstSeenMs = T0 - 600'000;
    s.lastSeenMs = T0;
    s.lastPrompt = QStringLiteral("Fix the failing test in src/parser.cpp and run the suite again");
    s.state = state;
    s.stateSinceMs = T0 - 30'000;
    if (state == SessionView::State::Tripped) {
        s.reason = QStringLiteral("loop detector: the same tool call 14 times in 2 minutes");
        s.costAtTripMicros = costMicros;
    } else if (state == SessionView::State::Killed) {
        s.reason = QStringLiteral("killed from the console");
        s.costAtTripMicros = costMicros;
    } else if (state == SessionView::State::Throttled) {
        s.reason = QStringLiteral("rate limit: 60 requests per minute for tenant acme");
    }
    return s;
}

// One session in each state, plus a busy one in flight: what a console shows on a lively day.
inline QList<SessionView> everyState()
{
    using S = SessionView::State;
    QList<SessionView> list;
    list << session(QStringLiteral("agent-refactor"), S::Active, 1'234'560, QStringLiteral("acme"));
    list.last().inFlight = 2;
    list << session(QStringLiteral("agent-docs"), S::Throttled, 84'000, QStringLiteral("acme"));
    list << session(QStringLiteral("agent-loop"), S::Tripped, 9'870'000, QStringLiteral("beta"));
    list << session(QStringLiteral("agent-old"), S::Killed, 430'000, QStringLiteral("beta"));
    list << session(QStringLiteral("ci-nightly"), S::Active, 12'000, QStringLiteral("ci"));
    list.last().lastSeenMs = SessionSamples::T0 - 90'000;
    list.last().lastPrompt = QStringLiteral("Summarise the build log");
    return list;
}

inline QList<SessionView> crowd(int count, int tick)
{
    QList<SessionView> list;
    list.reserve(count);
    for (int i = 0; i < count; ++i) {
        SessionView s = session(QStringLiteral("agent-%1").arg(i, 4, 10, QLatin1Char('0')),
                                i % 50 == 0 ? SessionView::State::Tripped : SessionView::State::Active, 1000 * i + tick * 17,
                                QStringLiteral("tenant-%1").arg(i % 7));
        // Every session moves on every tick, the worst case for the diff.
        s.requests = i + tick;
        s.tokensPerMinute = 100 * i + tick;
        s.inFlight = (i + tick) % 3;
        // A new order by Last seen on every tick, so a view sorted by it re-sorts every row.
        s.lastSeenMs = T0 + tick * 250 + (qint64(i) * 7919 + qint64(tick) * 104'729) % count;
        list << s;
    }
    return list;
}

inline GatewaySnapshot snapshotOf(const QList<SessionView> &sessions, bool stoppedAll = false)
{
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    s.listenAddress = QStringLiteral("127.0.0.1:8400");
    s.takenAtMs = T0;
    s.sessions = sessions;
    s.sessionsKnown = int(sessions.size());
    s.stoppedAll = stoppedAll;
    return s;
}

} // namespace SessionSamples
