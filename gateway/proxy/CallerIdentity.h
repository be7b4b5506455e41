#pragma once

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
    QByteArray clientKey; // the key as sent, only to pass through to an upstream that has none
};

// Resolves identities, remembering the calling process per connection: finding a loopback peer's
// process means reading /proc, too slow to repeat for every request on a kept-alive connection.
class CallerResolver
{
public:
    CallerIdentity resolve(const HttpRequest &request);
    static QString fingerprint(const QByteArray &key);
    // "name:pid" of the process at the other end of a loopback TCP connection, or empty.
    static QString peerProcess(quint16 peerPort, quint16 localPort);

private:
    QCache<quint64, QString> m_peerByConnection{4096};
};
