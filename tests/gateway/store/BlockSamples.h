#pragma once

#include "session/SessionBlock.h"
#include "store/StoreRecords.h"

#include <QJsonObject>

// Plausible session blocks for store tests: block(n) is the same block every time for the same
// n; the scope, the kind (killed or tripped) and the cooldown vary with n.
namespace BlockSamples {

inline SessionBlock block(int n)
{
    SessionBlock b;
    b.scope = n % 5 == 4 ? SessionBlock::Scope::Tenant : SessionBlock::Scope::Session;
    b.target = QStringLiteral("%1-%2").arg(b.scope == SessionBlock::Scope::Tenant ? QStringLiteral("tenant")
                                                                                   : QStringLiteral("session"))
                   .arg(n, 6, 10, QLatin1Char('0'));
    b.killed = n % 2 == 0;
    b.signal = b.killed ? QStringLiteral("kill") : QStringLiteral("repetition");
    b.reason = b.killed ? QStringLiteral("stopped by hand «%1»").arg(n) : QStringLiteral("the same request 12 times in 30 s");
    b.actor = b.killed ? QStringLiteral("admin-api (sha256:1f2e3d)") : QStringLiteral("loop-detector");
    b.sinceMs = 1'741'600'000'000 + n;
    b.untilMs = b.killed ? 0 : b.sinceMs + 300'000;
    b.costAtTripMicros = n % 3 == 0 ? -1 : 9'007'199'254'740'993 - n;
    return b;
}

// The audit entry that goes with saving `b`.
inline AuditEntry audit(const SessionBlock &b)
{
    AuditEntry e;
    e.at = b.sinceMs;
    e.actor = b.actor;
    e.action = b.killed ? QStringLiteral("sessions.kill") : QStringLiteral("sessions.trip");
    e.target = b.target;
    e.after = QJsonObject{{QStringLiteral("scope"), SessionBlock::scopeName(b.scope)}, {QStringLiteral("signal"), b.signal}};
    return e;
}

} // namespace BlockSamples
