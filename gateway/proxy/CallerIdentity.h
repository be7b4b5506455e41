#pragma once

#include <optional>

#include "http/HttpRequest.h"

#include <QCache>
#include <QString>

// Who is calling: tenant and session as PRODUCT.md defines them, and the fingerprint of any
// provider key the client sent (the key itself is never kept).
struct CallerIdentity
{
    QString tenant;
    QString session;
    QString keyFingerprint;
    QString process;      // "name:pid" of the calling process when it was looked up, else empty
    QByteArray clientKey; // the key as sent, only to pass through to an upstream that has none
    std::optional<int> tier; // the virtual key's priority, when it has one (else the tenant's, GatewayConfig::tierOf)
    // No X-Session-ID nor agent session header, and the caller is a loopback process not named
    // yet: PeerProcessFinder names it.
    bool needsPeerLookup = false;
    // The session came from a header and the loopback caller's process is not known yet: worth
    // naming for the console, but the request need not wait for it.
    bool processUnknown = false;
};

// Resolves identities from the request's headers, remembering the calling process per connection:
// finding a loopback peer's process means reading /proc (PeerProcessFinder, off the gateway
// thread), too slow to repeat for every request on a kept-alive connection.
class CallerResolver
{
public:
    // Tenant, key and session from the headers (X-Session-ID, else an agent's own session header)
    // or the connection's remembered peer. The session is
    // left empty when the peer must be looked up (needsPeerLookup) or can't be: see settle().
    CallerIdentity resolve(const HttpRequest &request);
    void rememberPeer(quint64 connectionId, const QString &peer);
    // The last resort of PRODUCT.md's order: no session header, no process: the tenant.
    static void settle(CallerIdentity *caller);
    static QString fingerprint(const QByteArray &key);
    // "name:pid" of the process at the other end of a loopback TCP connection, or empty (blocking).
    static QString peerProcess(quint16 peerPort, quint16 localPort);

private:
    QCache<quint64, QString> m_peerByConnection{4096};
};
