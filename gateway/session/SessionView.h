#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// One agent session as the console and the admin API see it: a copyable value, made on the
// gateway thread by SessionBook and sent to the GUI thread inside GatewaySnapshot.
struct SessionView
{
    // Active: requests go through. Throttled: a rate limit refused one in the last minute.
    // Tripped: the loop detector (or a budget breaker) blocked it. Killed: blocked by hand.
    enum class State { Active, Throttled, Tripped, Killed };

    QString id;               // the session id (X-Session-ID, an agent's own header, process, or tenant)
    QString tenant;
    QString process;          // "name:pid" of the calling process where the platform tells it, else empty
    QStringList models;       // most recent first
    qint64 requests = 0;      // since the session was first seen (totals restored from the store)
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 costMicros = 0;
    // Over the last 60 s.
    qint64 requestsPerMinute = 0;
    qint64 tokensPerMinute = 0;
    qint64 costMicrosPerMinute = 0;
    int inFlight = 0;
    qint64 firstSeenMs = 0;   // ms since the Unix epoch
    qint64 lastSeenMs = 0;
    QString lastPrompt;       // the start of the latest user turn, keys redacted, at most ~200 characters
    State state = State::Active;
    QString reason;           // why it is tripped, killed or throttled: for people
    // What blocks it, so a Resume can undo the right thing: its own breaker, its tenant's, or stop-all.
    enum class BlockedBy { Nothing, Session, Tenant, All };
    BlockedBy blockedBy = BlockedBy::Nothing;
    qint64 stateSinceMs = 0;  // when the state last changed
    qint64 costAtTripMicros = -1; // spend when it was tripped or killed, -1 when it is not

    static QString stateName(State state);
    static State stateFromName(const QString &name, bool *ok = nullptr);
};
Q_DECLARE_METATYPE(SessionView)

inline QString SessionView::stateName(State state)
{
    switch (state) {
    case State::Active: return QStringLiteral("active");
    case State::Throttled: return QStringLiteral("throttled");
    case State::Tripped: return QStringLiteral("tripped");
    case State::Killed: return QStringLiteral("killed");
    }
    return QStringLiteral("active");
}

inline SessionView::State SessionView::stateFromName(const QString &name, bool *ok)
{
    if (ok)
        *ok = true;
    for (State s : {State::Active, State::Throttled, State::Tripped, State::Killed}) {
        if (stateName(s) == name)
            return s;
    }
    if (ok)
        *ok = false;
    return State::Active;
}
