#pragma once

#include "SessionBlock.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// The session breakers that are open: which sessions and tenants are blocked, and whether
// stop-all is on. Answers, for each new request, whether it may go through; a tripped session's
// cooldown is honoured here (an expired block no longer blocks; takeExpired() hands it back so
// the gateway can forget it in the store). Gateway thread only.
class SessionBreakers
{
public:
    // Opens (or replaces) the breaker of block.scope + block.target.
    void set(const SessionBlock &block);
    // Closes one; the block that was open, if any.
    std::optional<SessionBlock> clear(SessionBlock::Scope scope, const QString &target);
    void restore(const QList<SessionBlock> &blocks);

    // The block that refuses a request of this session and tenant at `nowMs`, most general first
    // (stop-all, then the tenant, then the session); nothing when it may go through.
    std::optional<SessionBlock> blocking(const QString &session, const QString &tenant, qint64 nowMs) const;
    std::optional<SessionBlock> sessionBlock(const QString &session, qint64 nowMs) const;
    std::optional<SessionBlock> tenantBlock(const QString &tenant, qint64 nowMs) const;
    bool stoppedAll() const { return m_all.has_value(); }
    // Blocks whose cooldown has run out by `nowMs`, removed.
    QList<SessionBlock> takeExpired(qint64 nowMs);
    QList<SessionBlock> all() const;

    // The refusal a blocked request gets (403 session_blocked): what blocked it, why, since when,
    // and how to undo it.
    static QString refusalMessage(const SessionBlock &block, const QString &session);
    // For the audit table and the admin API.
    static QJsonObject toJson(const SessionBlock &block);

private:
    static bool live(const SessionBlock &block, qint64 nowMs) { return block.untilMs == 0 || nowMs < block.untilMs; }

    QHash<QString, SessionBlock> m_sessions;
    QHash<QString, SessionBlock> m_tenants;
    std::optional<SessionBlock> m_all;
};
