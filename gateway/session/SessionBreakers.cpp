#include "SessionBreakers.h"

#include <QDateTime>

void SessionBreakers::set(const SessionBlock &block)
{
    switch (block.scope) {
    case SessionBlock::Scope::Session: m_sessions.insert(block.target, block); break;
    case SessionBlock::Scope::Tenant: m_tenants.insert(block.target, block); break;
    case SessionBlock::Scope::All: m_all = block; break;
    }
}

std::optional<SessionBlock> SessionBreakers::clear(SessionBlock::Scope scope, const QString &target)
{
    std::optional<SessionBlock> was;
    switch (scope) {
    case SessionBlock::Scope::Session:
        if (m_sessions.contains(target))
            was = m_sessions.take(target);
        break;
    case SessionBlock::Scope::Tenant:
        if (m_tenants.contains(target))
            was = m_tenants.take(target);
        break;
    case SessionBlock::Scope::All:
        was = std::exchange(m_all, std::nullopt);
        break;
    }
    return was;
}

void SessionBreakers::restore(const QList<SessionBlock> &blocks)
{
    m_sessions.clear();
    m_tenants.clear();
    m_all.reset();
    for (const SessionBlock &b : blocks)
        set(b);
}

std::optional<SessionBlock> SessionBreakers::blocking(const QString &session, const QString &tenant, qint64 nowMs) const
{
    if (m_all)
        return m_all;
    if (std::optional<SessionBlock> t = tenantBlock(tenant, nowMs))
        return t;
    return sessionBlock(session, nowMs);
}

std::optional<SessionBlock> SessionBreakers::sessionBlock(const QString &session, qint64 nowMs) const
{
    const auto it = m_sessions.constFind(session);
    if (it == m_sessions.cend() || !live(*it, nowMs))
        return std::nullopt;
    return *it;
}

std::optional<SessionBlock> SessionBreakers::tenantBlock(const QString &tenant, qint64 nowMs) const
{
    const auto it = m_tenants.constFind(tenant);
    if (it == m_tenants.cend() || !live(*it, nowMs))
        return std::nullopt;
    return *it;
}

QList<SessionBlock> SessionBreakers::takeExpired(qint64 nowMs)
{
    QList<SessionBlock> expired;
    for (QHash<QString, SessionBlock> *map : {&m_sessions, &m_tenants}) {
        for (auto it = map->begin(); it != map->end();) {
            if (!live(*it, nowMs)) {
                expired.append(*it);
                it = map->erase(it);
            } else {
                ++it;
            }
        }
    }
    if (m_all && !live(*m_all, nowMs))
        expired.append(*std::exchange(m_all, std::nullopt));
    return expired;
}

QList<SessionBlock> SessionBreakers::all() const
{
    QList<SessionBlock> blocks;
    if (m_all)
        blocks.append(*m_all);
    blocks.append(m_tenants.values());
    blocks.append(m_sessions.values());
    return blocks;
}

QString SessionBreakers::refusalMessage(const SessionBlock &block, const QString &session)
{
    const QString since = QDateTime::fromMSecsSinceEpoch(block.sinceMs).toString(QStringLiteral("HH:mm:ss"));
    const QString why = block.reason.isEmpty() ? QString() : QStringLiteral(": ") + block.reason;
    const QString until = block.untilMs > 0
        ? QStringLiteral(" It resets by itself at %1.").arg(QDateTime::fromMSecsSinceEpoch(block.untilMs).toString(QStringLiteral("HH:mm:ss")))
        : QString();
    switch (block.scope) {
    case SessionBlock::Scope::All:
        return QStringLiteral("TokenFuse is stopped: every request is refused since %1 (stop-all by %2%3). "
                              "Resume with POST /admin/v1/resume-all or the console's Resume all.")
            .arg(since, block.actor, why);
    case SessionBlock::Scope::Tenant:
        return QStringLiteral("Tenant %1 is blocked: killed by %2 at %3%4. Resume it with POST /admin/v1/tenants/%1/resume or in the TokenFuse console.")
            .arg(block.target, block.actor, since, why);
    case SessionBlock::Scope::Session:
        break;
    }
    if (block.killed)
        return QStringLiteral("Session %1 is blocked: killed by %2 at %3%4. Resume it with POST /admin/v1/sessions/%1/resume or in the TokenFuse console.")
            .arg(session, block.actor, since, why);
    return QStringLiteral("Session %1 is blocked: the loop detector tripped it at %2 (%3)%4.%5 Resume it with POST /admin/v1/sessions/%1/resume or in the TokenFuse console.")
        .arg(session, since, block.signal, why, until);
}

QJsonObject SessionBreakers::toJson(const SessionBlock &block)
{
    QJsonObject o{{"scope", SessionBlock::scopeName(block.scope)},
                  {"state", block.killed ? QStringLiteral("killed") : QStringLiteral("tripped")},
                  {"signal", block.signal},
                  {"reason", block.reason},
                  {"actor", block.actor},
                  {"since", QDateTime::fromMSecsSinceEpoch(block.sinceMs).toString(Qt::ISODateWithMs)}};
    if (!block.target.isEmpty())
        o.insert("target", block.target);
    if (block.untilMs > 0)
        o.insert("until", QDateTime::fromMSecsSinceEpoch(block.untilMs).toString(Qt::ISODateWithMs));
    if (block.costAtTripMicros >= 0)
        o.insert("cost_at_trip_micros", block.costAtTripMicros);
    return o;
}
