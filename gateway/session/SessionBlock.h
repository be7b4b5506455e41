#pragma once

#include <QList>
#include <QString>

// One breaker that is open: a session tripped by the loop detector or killed by hand, a tenant
// killed, or stop-all. A copyable value, kept by SessionBreakers and stored in table
// `session_blocks` (one row per scope and target), so a restart keeps what was blocked.
struct SessionBlock
{
    enum class Scope { Session, Tenant, All };

    Scope scope = Scope::Session;
    QString target;           // the session or tenant id; empty for All
    bool killed = true;       // by hand (kill, stop-all); false: tripped by the loop detector
    QString signal;           // "kill", "stop_all", or the loop detector's signal ("repetition", ...)
    QString reason;           // for people: the evidence, or the reason given with the kill
    QString actor;            // "console", "admin-api (sha256:…)", "loop-detector"
    qint64 sinceMs = 0;       // ms since the Unix epoch
    qint64 untilMs = 0;       // when a cooldown resets it by itself; 0: until resumed by hand
    qint64 costAtTripMicros = -1; // the session's (or tenant's) spend when it was blocked, -1 unknown

    static QString scopeName(Scope scope)
    {
        switch (scope) {
        case Scope::Session: return QStringLiteral("session");
        case Scope::Tenant: return QStringLiteral("tenant");
        case Scope::All: return QStringLiteral("all");
        }
        return QStringLiteral("session");
    }
    static bool scopeFromName(const QString &name, Scope *scope)
    {
        for (Scope s : {Scope::Session, Scope::Tenant, Scope::All}) {
            if (scopeName(s) == name) {
                *scope = s;
                return true;
            }
        }
        return false;
    }
    bool sameKey(const SessionBlock &other) const { return scope == other.scope && target == other.target; }
};

// A session's figures as the store has them, to seed the session book at start.
struct SessionTotalsRecord
{
    QString session;
    QString tenant;           // of its latest request
    QString model;            // of its latest request
    qint64 requests = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 costMicros = 0;
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
};
