#include "UpstreamConnection.h"

#include "UpstreamCall.h"
#include "UpstreamClient.h"

#include <QNetworkProxy>
#include <QSslSocket>

#include <cerrno>
#include <sys/socket.h>

namespace {
// The most Qt reads from the socket before we take it. It bounds each piece delivered (so flow
// control is checked every quarter megabyte, not once per whatever the kernel held, which can be
// tens of megabytes), and while paused Qt fills it, stops watching the socket, the kernel's buffers
// fill and TCP closes its window on the upstream.
constexpr qint64 kReadBufferBytes = 256 * 1024;

UpstreamConnection *self(http_parser *p)
{
    return static_cast<UpstreamConnection *>(p->data);
}
} // namespace

const http_parser_settings &UpstreamConnection::settings()
{
    static const http_parser_settings s = [] {
        http_parser_settings v;
        http_parser_settings_init(&v);
        v.on_header_field = &UpstreamConnection::onHeaderField;
        v.on_header_value = &UpstreamConnection::onHeaderValue;
        v.on_headers_complete = &UpstreamConnection::onHeadersComplete;
        v.on_body = &UpstreamConnection::onBody;
        v.on_message_complete = &UpstreamConnection::onMessageComplete;
        return v;
    }();
    return s;
}

const http_parser_settings &UpstreamConnection::tunnelSettings()
{
    static const http_parser_settings s = [] {
        http_parser_settings v;
        http_parser_settings_init(&v);
        v.on_status = &UpstreamConnection::onTunnelStatus;
        v.on_headers_complete = &UpstreamConnection::onTunnelHeadersComplete;
        return v;
    }();
    return s;
}

UpstreamConnection::UpstreamConnection(const QString &origin, const QUrl &url, const UpstreamProxy &proxy, UpstreamClient *client)
    : QObject(client), m_origin(origin), m_url(url), m_client(client), m_proxy(proxy)
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        m_closing = true;
        if (m_socket)
            m_socket->abort();
        m_client->release(this, false);
    });
}

UpstreamConnection::~UpstreamConnection() = default;

void UpstreamConnection::start(UpstreamCall *call)
{
    m_idleTimer.stop();
    m_call = call;
    call->m_connection = this;
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_headers = HttpHeaders();
    m_field.clear();
    m_value.clear();
    m_lastWasValue = false;
    m_headReady = m_headDelivered = m_complete = m_keepAlive = m_gotBytes = m_requestWritten = false;
    m_body.clear();
    m_closedWhilePaused = false;
    setReadPaused(false);

    if (m_socket) {
        sendRequest();
        return;
    }
    const bool tls = m_url.scheme() == QLatin1String("https");
    const quint16 port = quint16(m_url.port(tls ? 443 : 80));
    if (tls) {
        auto *ssl = new QSslSocket(this);
        m_socket = ssl;
        // The system's CAs plus the client's bundle. Peer verification stays at Qt's default
        // (VerifyPeer); certificate errors are never ignored. The name verified (and sent as SNI)
        // is the upstream's, also when the socket's peer is a proxy.
        ssl->setSslConfiguration(m_client->sslConfiguration());
        ssl->setPeerVerifyName(m_url.host());
        connect(ssl, &QSslSocket::encrypted, this, &UpstreamConnection::onConnected);
    } else {
        m_socket = new QTcpSocket(this);
    }
    // Our routing alone decides: no application-wide or system proxy of Qt's underneath.
    m_socket->setProxy(QNetworkProxy::NoProxy);
    if (!m_proxy.isNull()) {
        connect(m_socket, &QTcpSocket::connected, this, &UpstreamConnection::onProxyReached);
        m_socket->connectToHost(m_proxy.host(), m_proxy.port());
    } else if (tls) {
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_url.host(), port);
    } else {
        connect(m_socket, &QTcpSocket::connected, this, &UpstreamConnection::onConnected);
        m_socket->connectToHost(m_url.host(), port);
    }
    m_socket->setReadBufferSize(kReadBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &UpstreamConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &UpstreamConnection::onClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &UpstreamConnection::onClosed);
}

QByteArray UpstreamConnection::authority(bool withDefaultPort) const
{
    const bool tls = m_url.scheme() == QLatin1String("https");
    QByteArray host = m_url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int port = m_url.port(tls ? 443 : 80);
    if (withDefaultPort || port != (tls ? 443 : 80))
        host += ':' + QByteArray::number(port);
    return host;
}

QString UpstreamConnection::upstreamName() const
{
    return m_proxy.isNull() ? m_url.host() : QStringLiteral("%1 (through proxy %2)").arg(m_url.host(), m_proxy.name());
}

void UpstreamConnection::onProxyReached()
{
    if (m_url.scheme() != QLatin1String("https")) {
        onConnected(); // requests go to the proxy itself, in absolute form
        return;
    }
    m_link = Link::Tunnelling;
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_tunnelReason.clear();
    const QByteArray target = authority(true);
    QByteArray out = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (!m_proxy.authorization().isEmpty())
        out += "Proxy-Authorization: " + m_proxy.authorization() + "\r\n";
    out += "\r\n";
    m_socket->write(out);
    m_socket->flush();
}

int UpstreamConnection::onTunnelStatus(http_parser *p, const char *at, size_t len)
{
    self(p)->m_tunnelReason.append(at, qsizetype(len));
    return 0;
}

int UpstreamConnection::onTunnelHeadersComplete(http_parser *p)
{
    // The answer to CONNECT ends with its headers (a refusal's body is of no interest: the
    // connection is dropped). Whatever follows a 2xx is the tunnel's.
    http_parser_pause(p, 1);
    return 1;
}

void UpstreamConnection::readTunnelAnswer()
{
    // A proxy sends nothing after a 2xx until we speak TLS, so all that was read is the head.
    const QByteArray data = m_socket->readAll();
    http_parser_execute(&m_parser, &tunnelSettings(), data.constData(), size_t(data.size()));
    const auto err = HTTP_PARSER_ERRNO(&m_parser);
    if (err != HPE_OK && err != HPE_PAUSED) {
        fail(int(UpstreamCall::Failure::Connect),
             QStringLiteral("Upstream %1: proxy %2 answered CONNECT with a malformed HTTP response: %3")
                 .arg(m_url.host(), m_proxy.name(), QString::fromLatin1(http_errno_description(err))));
        return;
    }
    if (err != HPE_PAUSED)
        return; // the head is not complete yet
    const int status = int(m_parser.status_code);
    if (status < 200 || status > 299) {
        fail(int(UpstreamCall::Failure::Connect),
             QStringLiteral("Upstream %1: proxy %2 refused the tunnel: %3 %4")
                 .arg(m_url.host(), m_proxy.name()).arg(status).arg(QString::fromLatin1(m_tunnelReason.trimmed())));
        return;
    }
    m_link = Link::Encrypting;
    // The parser goes back to reading the upstream's response.
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    static_cast<QSslSocket *>(m_socket)->startClientEncryption();
}

void UpstreamConnection::onConnected()
{
    m_link = Link::Open;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_call)
        m_call->connectionEstablished();
    sendRequest();
}

void UpstreamConnection::sendRequest()
{
    if (m_link != Link::Open || !m_call)
        return;
    const UpstreamRequest &r = m_call->request();
    // The call's own URL: a kept-alive connection carries calls to many paths of its origin.
    QByteArray target = r.url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (r.url.hasQuery())
        target += '?' + r.url.query(QUrl::FullyEncoded).toUtf8();
    QByteArray out;
    out.reserve(512 + r.body.size());
    // Through a proxy, plain HTTP names the whole URL (RFC 9112 absolute form); in a tunnel the
    // request is the upstream's own, as if direct.
    const bool forwarded = !m_proxy.isNull() && m_url.scheme() != QLatin1String("https");
    if (forwarded)
        target = m_url.scheme().toLatin1() + "://" + authority(false) + target;
    out += r.method + ' ' + target + " HTTP/1.1\r\n";
    out += "Host: " + authority(false) + "\r\n";
    if (forwarded && !m_proxy.authorization().isEmpty())
        out += "Proxy-Authorization: " + m_proxy.authorization() + "\r\n";
    for (const auto &f : r.headers.fields()) {
        const QByteArray n = f.first.toLower();
        if (n == "host" || n == "content-length" || n == "transfer-encoding" || n == "connection"
            || n == "accept-encoding" || n == "keep-alive" || n == "te" || n == "upgrade"
            || n == "proxy-connection" || n == "proxy-authorization" || n == "trailer")
            continue;
        out += f.first + ": " + f.second + "\r\n";
    }
    out += "Accept-Encoding: identity\r\n";
    if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += "\r\n";
    out += r.body;
    m_requestWritten = true;
    m_socket->write(out);
    m_socket->flush();
    m_call->requestSent();
}

int UpstreamConnection::onHeaderField(http_parser *p, const char *at, size_t len)
{
    UpstreamConnection *c = self(p);
    if (c->m_lastWasValue) {
        c->m_headers.add(c->m_field.toLower(), c->m_value.trimmed());
        c->m_field.clear();
        c->m_value.clear();
        c->m_lastWasValue = false;
    }
    c->m_field.append(at, qsizetype(len));
    return 0;
}

int UpstreamConnection::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    UpstreamConnection *c = self(p);
    c->m_lastWasValue = true;
    c->m_value.append(at, qsizetype(len));
    return 0;
}

int UpstreamConnection::onHeadersComplete(http_parser *p)
{
    UpstreamConnection *c = self(p);
    if (!c->m_field.isEmpty())
        c->m_headers.add(c->m_field.toLower(), c->m_value.trimmed());
    c->m_field.clear();
    c->m_value.clear();
    c->m_headReady = true;
    // A HEAD response has headers only, whatever its Content-Length says.
    return (c->m_call && c->m_call->request().method == "HEAD") ? 1 : 0;
}

int UpstreamConnection::onBody(http_parser *p, const char *at, size_t len)
{
    self(p)->m_body.append(at, qsizetype(len));
    return 0;
}

int UpstreamConnection::onMessageComplete(http_parser *p)
{
    UpstreamConnection *c = self(p);
    c->m_complete = true;
    c->m_keepAlive = http_should_keep_alive(p) != 0;
    http_parser_pause(p, 1);
    return 0;
}

void UpstreamConnection::setReadPaused(bool paused)
{
    if (m_readPaused == paused)
        return;
    m_readPaused = paused;
    // Resumed from the event loop, not from inside the caller (which is in the middle of writing
    // to its own client, maybe inside one of this socket's own signals).
    if (!paused && m_socket)
        QMetaObject::invokeMethod(this, &UpstreamConnection::resumeReading, Qt::QueuedConnection);
}

void UpstreamConnection::resumeReading()
{
    if (m_readPaused || !m_socket || m_closing)
        return;
    // Take what Qt buffered while paused (it raises no new readyRead for it). Reading also turns
    // the socket's read notifier back on, which Qt switched off when the bounded buffer filled.
    if (m_call)
        onReadyRead();
    if (m_closedWhilePaused && !m_readPaused) {
        m_closedWhilePaused = false;
        onClosed();
    }
}

void UpstreamConnection::onReadyRead()
{
    if (m_link == Link::Tunnelling) {
        readTunnelAnswer();
        return;
    }
    if (m_call && m_readPaused)
        return; // left in Qt's bounded buffer; resumeReading() takes it
    const QByteArray data = m_socket->readAll();
    if (!m_call) {
        // Bytes on a parked connection are not ours to read: drop it.
        if (!m_closing) {
            m_closing = true;
            m_socket->abort();
            m_client->release(this, false);
        }
        return;
    }
    if (!data.isEmpty())
        m_gotBytes = true;
    feed(data.constData(), size_t(data.size()));
}

void UpstreamConnection::feed(const char *data, size_t len)
{
    if (m_complete)
        return;
    http_parser_execute(&m_parser, &settings(), data, len);
    const auto err = HTTP_PARSER_ERRNO(&m_parser);
    if (err != HPE_OK && err != HPE_PAUSED) {
        fail(int(UpstreamCall::Failure::Protocol),
             QStringLiteral("Upstream %1 sent a malformed HTTP response: %2")
                 .arg(m_url.host(), QString::fromLatin1(http_errno_description(err))));
        return;
    }
    flushEvents();
}

void UpstreamConnection::flushEvents()
{
    if (m_headReady && !m_headDelivered && m_call) {
        // Only a proxy asks for proxy credentials: passed on, the agent would take the 407 for
        // its own. The proxy answered instead of forwarding, so the upstream never saw the request.
        if (m_parser.status_code == 407 && !m_proxy.isNull()) {
            fail(int(UpstreamCall::Failure::Connect),
                 QStringLiteral("Upstream %1: proxy %2 refused the request: 407 Proxy Authentication Required")
                     .arg(m_url.host(), m_proxy.name()));
            return;
        }
        m_headDelivered = true;
        m_call->deliverHead(int(m_parser.status_code), m_headers);
    }
    if (!m_body.isEmpty() && m_call) {
        const QByteArray body = std::exchange(m_body, QByteArray());
        m_call->deliverData(body);
    }
    if (m_complete && m_call)
        finishExchange();
}

void UpstreamConnection::finishExchange()
{
    QPointer<UpstreamCall> call = m_call;
    m_call = nullptr;
    ++m_served;
    const bool reusable = m_keepAlive && !m_closing && m_socket->state() == QAbstractSocket::ConnectedState;
    if (!reusable) {
        m_closing = true;
        m_socket->abort();
    }
    m_client->release(this, reusable);
    if (call)
        call->deliverEnd();
}

void UpstreamConnection::abortCall()
{
    m_call = nullptr;
    if (m_closing)
        return;
    m_closing = true;
    if (m_socket)
        m_socket->abort();
    m_client->release(this, false);
}

void UpstreamConnection::closeIdle()
{
    m_closing = true;
    if (m_socket)
        m_socket->abort();
}

void UpstreamConnection::park(int idleMs)
{
    m_maxIdleMs = idleMs;
    m_parkedFor.start();
    m_idleTimer.start(idleMs);
}

bool UpstreamConnection::isStale() const
{
    if (m_closing || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState || m_socket->bytesAvailable() > 0)
        return true;
    if (m_parkedFor.isValid() && m_parkedFor.elapsed() >= m_maxIdleMs)
        return true;
    // The event loop may not have seen the upstream's FIN yet; the kernel has. Any byte (or the
    // end of the stream) on an idle connection means it can't carry a request.
    const qintptr fd = m_socket->socketDescriptor();
    if (fd < 0)
        return false;
    char byte = 0;
    const ssize_t n = ::recv(int(fd), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0)
        return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    return true;
}

void UpstreamConnection::fail(int failure, const QString &message)
{
    QPointer<UpstreamCall> call = m_call;
    m_call = nullptr;
    if (!m_closing) {
        m_closing = true;
        m_socket->abort();
        m_client->release(this, false);
    }
    if (call)
        call->deliverFailure(UpstreamCall::Failure(failure), message);
}

void UpstreamConnection::onClosed()
{
    if (m_closing)
        return;
    if (m_call && m_readPaused) {
        // Bytes read before the close are still unprocessed; the close is handled after them.
        m_closedWhilePaused = true;
        return;
    }
    if (m_call && m_gotBytes && !m_complete) {
        // A response delimited by the end of the connection ends here; any other is cut short.
        http_parser_execute(&m_parser, &settings(), nullptr, 0);
        flushEvents();
        if (!m_call)
            return;
    }
    m_closing = true;
    QPointer<UpstreamCall> call = m_call;
    m_call = nullptr;
    const QString reason = m_socket->errorString();
    const auto socketError = m_socket->error();
    m_client->release(this, false);
    if (!call)
        return;
    if (m_gotBytes) {
        call->deliverFailure(UpstreamCall::Failure::ClosedEarly,
                             QStringLiteral("Upstream %1 closed the connection in the middle of the response").arg(m_url.host()));
        return;
    }
    UpstreamCall::Failure kind = UpstreamCall::Failure::Connect;
    QString message = QStringLiteral("Upstream %1: %2").arg(upstreamName(), reason);
    if (!m_proxy.isNull() && m_link == Link::Connecting) {
        message = QStringLiteral("Upstream %1: proxy %2 can't be reached: %3").arg(m_url.host(), m_proxy.name(), reason);
    } else if (m_link == Link::Tunnelling) {
        message = QStringLiteral("Upstream %1: proxy %2 closed the connection before answering CONNECT").arg(m_url.host(), m_proxy.name());
    } else if (socketError == QAbstractSocket::SslHandshakeFailedError || socketError == QAbstractSocket::SslInternalError
        || socketError == QAbstractSocket::SslInvalidUserDataError) {
        kind = UpstreamCall::Failure::Tls;
    } else if (m_link == Link::Open) {
        kind = UpstreamCall::Failure::ClosedEarly;
        // Never sent again: the upstream may have read it and be working on it (and billing it).
        if (m_requestWritten)
            message = QStringLiteral("Upstream %1 closed the connection before answering; the request was not re-sent "
                                     "because it may have been processed; retry it only if running it twice is acceptable").arg(m_url.host());
    }
    call->deliverFailure(kind, message);
}

