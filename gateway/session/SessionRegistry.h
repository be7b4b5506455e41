#pragma once

#include "dialect/Dialect.h"

#include <QHash>
#include <QList>
#include <QMultiHash>
#include <QObject>
#include <QString>

class ProxyExchange;

// Every exchange in flight, indexed by session and by tenant. It holds them as the gateway always
// has: an exchange joins with add(), leaves when it reports done, and is then deleted later.
// A kill ends a session's or tenant's exchanges through cancelSession / cancelTenant, stop-all
// through cancelEvery; shutdown through cancelAll.
class SessionRegistry : public QObject
{
    Q_OBJECT
public:
    explicit SessionRegistry(QObject *parent = nullptr) : QObject(parent) {}

    // Takes the exchange: when it is done it leaves the registry and is deleted later.
    void add(ProxyExchange *exchange);
    // Forgets the exchange without deleting it.
    void remove(ProxyExchange *exchange);
    int inFlight() const { return int(m_keys.size()); }
    QList<ProxyExchange *> all() const { return m_keys.keys(); }
    QList<ProxyExchange *> exchangesOfSession(const QString &session) const { return m_bySession.values(session); }
    QList<ProxyExchange *> exchangesOfTenant(const QString &tenant) const { return m_byTenant.values(tenant); }
    // Kill switches: every open exchange of the session (tenant; all of them) ended with `error` in
    // its client's dialect, upstream dropped, usage so far billed under `kind`. They leave the
    // registry once their rows are stored. Returns how many were open.
    int cancelSession(const QString &session, Dialect::Error error, const QString &message, const QString &kind);
    int cancelTenant(const QString &tenant, Dialect::Error error, const QString &message, const QString &kind);
    int cancelEvery(Dialect::Error error, const QString &message, const QString &kind);
    int inFlightOfSession(const QString &session) const { return int(m_bySession.count(session)); }
    // Shutdown: ends every exchange in flight in its client's dialect, then deletes those left.
    void cancelAll(Dialect::Error error, const QString &message);

private:
    static int cancel(const QList<ProxyExchange *> &exchanges, Dialect::Error error, const QString &message, const QString &kind);
    // Session and tenant as they were when the exchange joined, so it leaves the same index entries.
    struct Keys
    {
        QString session;
        QString tenant;
    };
    QHash<ProxyExchange *, Keys> m_keys;
    QMultiHash<QString, ProxyExchange *> m_bySession;
    QMultiHash<QString, ProxyExchange *> m_byTenant;
};
