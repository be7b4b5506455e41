#pragma once

#include "http/HttpHeaders.h"
#include "UpstreamProxy.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <http_parser.h>

class QTcpSocket;
class UpstreamCall;
class UpstreamClient;

// One TCP (or TLS) connection to an upstream origin, carrying one call at a time and kept alive
// for the next when the upstream allows it. Responses are parsed with http-parser. Through a proxy
// when it is given one: plain HTTP goes to the proxy in absolute form; TLS first asks the proxy for
// a CONNECT tunnel (written here rather than with QNetworkProxy, which reports a refusal without
// the proxy's status and spends a 407 round trip before it sends Basic credentials), then runs the
// handshake inside it, verifying the upstream's name.
class UpstreamConnection : public QObject
{
    Q_OBJECT
public:
    UpstreamConnection(const QString &origin, const QUrl &url, const UpstreamProxy &proxy, UpstreamClient *client);
    ~UpstreamConnection() override;

    const QString &origin() const { return m_origin; }
    bool hasServed() const { return m_served > 0; }
    void start(UpstreamCall *call);
    // The call's owner lost interest: drop the connection so the upstream sees it close.
    void abortCall();
    // Parked in the pool: close after a while without work.
    void park(int idleMs);
    // True when a parked connection must not carry another request: the upstream closed it or
    // sent something unasked (seen with a non-blocking peek, before the event loop reports it),
    // or it has been idle past the pool's keep-alive age.
    bool isStale() const;
    // Not wanted in the pool: close without a word (the client has already let it go).
    void closeIdle();
    // Stops (or resumes) reading from the socket for the current call; see UpstreamCall.
    void setReadPaused(bool paused);

private:
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);
    static const http_parser_settings &settings();
    static int onTunnelStatus(http_parser *p, const char *at, size_t len);
    static int onTunnelHeadersComplete(http_parser *p);
    static const http_parser_settings &tunnelSettings();

    // How far the connection is from carrying a request. Direct: Connecting -> Open (TCP, or TCP
    // and TLS). Through a proxy: Connecting (to the proxy) -> Open for plain HTTP; for TLS
    // Connecting -> Tunnelling (CONNECT sent) -> Encrypting (handshake in the tunnel) -> Open.
    enum class Link { Connecting, Tunnelling, Encrypting, Open };

    void sendRequest();
    void onConnected();
    void onProxyReached();
    void readTunnelAnswer();
    QByteArray authority(bool withDefaultPort) const;
    QString upstreamName() const;
    void onReadyRead();
    void onClosed();
    void resumeReading();
    void feed(const char *data, size_t len);
    void flushEvents();
    void fail(int failure, const QString &message);
    void finishExchange();

    QString m_origin;
    QUrl m_url;
    UpstreamClient *m_client;
    UpstreamProxy m_proxy;
    QTcpSocket *m_socket = nullptr;
    Link m_link = Link::Connecting;
    QByteArray m_tunnelReason;
    QPointer<UpstreamCall> m_call;
    http_parser m_parser;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    HttpHeaders m_headers;
    bool m_headReady = false;
    bool m_headDelivered = false;
    QByteArray m_body;
    bool m_complete = false;
    bool m_keepAlive = false;
    bool m_gotBytes = false;
    bool m_requestWritten = false; // bytes of the current request went to the socket: never send it again
    int m_served = 0;
    QTimer m_idleTimer;
    QElapsedTimer m_parkedFor;
    int m_maxIdleMs = 0;
    bool m_closing = false;
    bool m_readPaused = false;
    bool m_closedWhilePaused = false; // the upstream closed while unread bytes were held back
};
