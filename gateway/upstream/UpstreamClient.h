#pragma once

#include "UpstreamRequest.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

class UpstreamCall;
class UpstreamConnection;

// The gateway's HTTP/1.1 client for upstreams. Unlike QNetworkAccessManager (six connections per
// host, the rest queued) it opens as many connections per origin as the configured ceiling allows,
// so a thousand concurrent streams to one local model server run at once. TLS through QSslSocket
// with certificate verification always on. A request is sent once: a connection that fails after
// its bytes were written fails the call (the upstream may have processed it), so a pooled
// connection is checked for staleness before it is handed out instead.
class UpstreamClient : public QObject
{
    Q_OBJECT
public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    // The returned call belongs to the caller; delete it (or deleteLater) when done.
    UpstreamCall *start(const UpstreamRequest &request);

    void setMaxConnectionsPerOrigin(int max) { m_maxPerOrigin = max; }
    int maxConnectionsPerOrigin() const { return m_maxPerOrigin; }
    void setMaxIdlePerOrigin(qsizetype max) { m_maxIdlePerOrigin = max; }
    int openConnections() const;
    int idleConnections() const;
    int queuedCalls() const;

    // Internal, for UpstreamConnection and UpstreamCall.
    void release(UpstreamConnection *connection, bool reusable);
    void forget(UpstreamCall *call);

private:
    struct Origin
    {
        QList<UpstreamConnection *> idle;
        int open = 0;
        QList<QPointer<UpstreamCall>> waiting;
    };
    static QString originOf(const QUrl &url);
    void assign(UpstreamCall *call);
    void serveWaiting(const QString &origin);
    // An idle connection from the pool that can still carry a request, or null.
    UpstreamConnection *takeIdle(Origin &origin);

    QHash<QString, Origin> m_origins;
    int m_maxPerOrigin = 2048;
    int m_idleMs = 30'000;
    qsizetype m_maxIdlePerOrigin = 64;
};
