#include "SessionRegistry.h"

#include "proxy/ProxyExchange.h"

void SessionRegistry::add(ProxyExchange *exchange)
{
    const Keys keys{exchange->session(), exchange->tenant()};
    m_keys.insert(exchange, keys);
    m_bySession.insert(keys.session, exchange);
    m_byTenant.insert(keys.tenant, exchange);
    connect(exchange, &ProxyExchange::done, this, [this, exchange] {
        remove(exchange);
        exchange->deleteLater();
    });
}

void SessionRegistry::remove(ProxyExchange *exchange)
{
    const auto it = m_keys.constFind(exchange);
    if (it == m_keys.constEnd())
        return;
    m_bySession.remove(it->session, exchange);
    m_byTenant.remove(it->tenant, exchange);
    m_keys.erase(it);
}

void SessionRegistry::cancelAll(Dialect::Error error, const QString &message)
{
    const QList<ProxyExchange *> open = all();
    for (ProxyExchange *e : open)
        e->cancel(error, message);
    // Those that did not finish on the spot are deleted here; the finished ones are on their way out.
    const QList<ProxyExchange *> left = all();
    for (ProxyExchange *e : left)
        remove(e);
    qDeleteAll(left);
}

int SessionRegistry::cancel(const QList<ProxyExchange *> &exchanges, Dialect::Error error, const QString &message, const QString &kind)
{
    int ended = 0;
    for (ProxyExchange *e : exchanges) {
        if (!e->isOpen())
            continue;
        ++ended;
        e->cancel(error, message, kind);
    }
    return ended;
}

int SessionRegistry::cancelSession(const QString &session, Dialect::Error error, const QString &message, const QString &kind)
{
    return cancel(exchangesOfSession(session), error, message, kind);
}

int SessionRegistry::cancelTenant(const QString &tenant, Dialect::Error error, const QString &message, const QString &kind)
{
    return cancel(exchangesOfTenant(tenant), error, message, kind);
}

int SessionRegistry::cancelEvery(Dialect::Error error, const QString &message, const QString &kind)
{
    return cancel(all(), error, message, kind);
}
