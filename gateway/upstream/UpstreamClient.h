#pragma once

#include "UpstreamNetwork.h"
#include "UpstreamProxy.h"
#include "UpstreamRequest.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

class UpstreamCall;
class UpstreamConnection;

// The gateway's HTTP/1.1 client for upstreams. Unlike QNetworkAccessManager (six connections per
// host, the rest queued) it opens as many connections per origin as the configured ceiling allows,
// so a thousand concurrent streams to one local model server run at once. TLS through QSslSocket
// with certificate verification always on (extra CAs may be added, never fewer checks). Through an
// HTTP proxy when the network says so: http:// requests in absolute form, https:// ones in a
// CONNECT tunnel. A request is sent once: a connection that fails after
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

    // The proxies (and CA bundle) for calls started from now on; connections already pooled keep
    // the route they were opened with, under their own pool key. False, and nothing changed, when
    // a proxy URL can't be used or the bundle can't be loaded; `error` says why, naming the proxy
    // by host and port, never by its credentials.
    bool setNetwork(const UpstreamNetwork &network, QString *error = nullptr);
    const UpstreamNetwork &network() const { return m_network; }
    // Extra trusted CAs: the certificates of a PEM file, added to the system's for every TLS
    // connection (peer verification stays on). Empty path: the system's alone. False, and nothing
    // changed, when the file can't be read or holds no certificate.
    bool setCaBundle(const QString &path, QString *error = nullptr);
    const QSslConfiguration &sslConfiguration() const { return m_ssl; }
    // The proxy a request to `url` goes through (null: direct).
    UpstreamProxy proxyFor(const QUrl &url) const;

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
    // One pool: an origin as reached by one route (direct, or through one proxy as one user).
    struct Origin
    {
        UpstreamProxy proxy;
        QList<UpstreamConnection *> idle;
        int open = 0;
        QList<QPointer<UpstreamCall>> waiting;
    };
    static QString originOf(const QUrl &url);
    static bool loadCaBundle(const QString &path, QSslConfiguration *config, QString *error);
    void assign(UpstreamCall *call);
    void serveWaiting(const QString &origin);
    // An idle connection from the pool that can still carry a request, or null.
    UpstreamConnection *takeIdle(Origin &origin);

    QHash<QString, Origin> m_origins;
    UpstreamNetwork m_network;
    UpstreamProxy m_httpsProxy;
    UpstreamProxy m_httpProxy;
    QSslConfiguration m_ssl = QSslConfiguration::defaultConfiguration();
    int m_maxPerOrigin = 2048;
    int m_idleMs = 30'000;
    qsizetype m_maxIdlePerOrigin = 64;
};
