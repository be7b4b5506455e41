#include "CallerIdentity.h"

#include "PeerProcessFinder.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

namespace {
// Session ids coding agents already send, tried in this order when X-Session-ID is absent: Claude
// Code's, then Codex's (session-id since 0.1xx; session_id before). Kept as sent.
constexpr const char *kAgentSessionHeaders[] = {"x-claude-code-session-id", "session-id", "session_id"};
} // namespace

QString CallerResolver::fingerprint(const QByteArray &key)
{
    if (key.isEmpty())
        return {};
    return QStringLiteral("sha256:") + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(12));
}

CallerIdentity CallerResolver::resolve(const HttpRequest &request)
{
    CallerIdentity id;
    QByteArray key = request.headers.value("x-api-key");
    if (key.isEmpty()) {
        const QByteArray auth = request.headers.value("authorization");
        if (auth.startsWith("Bearer ") || auth.startsWith("bearer "))
            key = auth.mid(7).trimmed();
    }
    id.clientKey = key;
    id.keyFingerprint = fingerprint(key);
    id.tenant = QString::fromUtf8(request.headers.value("x-tenant-id")).trimmed();
    if (id.tenant.isEmpty())
        id.tenant = QStringLiteral("default");
    id.session = QString::fromUtf8(request.headers.value("x-session-id")).trimmed();
    for (const char *name : kAgentSessionHeaders) {
        if (!id.session.isEmpty())
            break;
        id.session = QString::fromUtf8(request.headers.value(name)).trimmed();
    }
    if (request.peerAddress.isLoopback()) {
        const QString *known = m_peerByConnection.object(request.connectionId);
        if (known)
            id.process = *known;
        if (id.session.isEmpty()) {
            if (known)
                id.session = *known;
            else
                id.needsPeerLookup = true;
        } else if (!known) {
            id.processUnknown = true;
        }
    }
    return id;
}

void CallerResolver::rememberPeer(quint64 connectionId, const QString &peer)
{
    m_peerByConnection.insert(connectionId, new QString(peer));
}

void CallerResolver::settle(CallerIdentity *caller)
{
    caller->needsPeerLookup = false;
    if (caller->session.isEmpty())
        caller->session = caller->tenant;
}

QString CallerResolver::peerProcess(quint16 peerPort, quint16 localPort)
{
    return PeerProcessFinder::scan({{peerPort, localPort}}).value(PeerProcessFinder::pairKey(peerPort, localPort));
}
