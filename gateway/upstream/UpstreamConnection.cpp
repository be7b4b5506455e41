#include "UpstreamConnection.h"

#include "UpstreamCall.h"
#include "UpstreamClient.h"

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

UpstreamConnection::UpstreamConnection(const QString &origin, const QUrl &url, UpstreamClient *client)
    : QObject(client), m_origin(origin), m_url(url), m_client(client)
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
        // Peer verification stays at Qt's default (VerifyPeer); certificate errors are never ignored.
        connect(ssl, &QSslSocket::encrypted, this, &UpstreamConnection::onConnected);
        ssl->connectToHostEncrypted(m_url.host(), port);
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &UpstreamConnection::onConnected);
        m_socket->connectToHost(m_url.host(), port);
    }
    m_socket->setReadBufferSize(kReadBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &UpstreamConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &UpstreamConnection::onClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &UpstreamConnection::onClosed);
}

void UpstreamConnection::onConnected()
{
    m_connected = true;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_call)
        m_call->connectionEstablished();
    sendRequest();
}

void UpstreamConnection::sendRequest()
{
    if (!m_connected || !m_call)
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
    out += r.method + ' ' + target + " HTTP/1.1\r\n";
    const bool tls = m_url.scheme() == QLatin1String("https");
    const int port = m_url.port(-1);
    out += "Host: " + m_url.host(QUrl::FullyEncoded).toUtf8();
    if (port != -1 && port != (tls ? 443 : 80))
        out += ':' + QByteArray::number(port);
    out += "\r\n";
    for (const auto &f : r.headers.fields()) {
        const QByteArray n = f.first.toLower();
        if (n == "host" || n == "content-length" || n == "transfer-encoding" || n == "connection"
            || n == "accept-encoding" || n == "keep-alive" || n == "te" || n == "upgrade"
            || n == "proxy-connection" || n == "trailer")
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
    QString message = QStringLiteral("Upstream %1: %2").arg(m_url.host(), reason);
    if (socketError == QAbstractSocket::SslHandshakeFailedError || socketError == QAbstractSocket::SslInternalError
        || socketError == QAbstractSocket::SslInvalidUserDataError) {
        kind = UpstreamCall::Failure::Tls;
    } else if (m_connected) {
        kind = UpstreamCall::Failure::ClosedEarly;
        // Never sent again: the upstream may have read it and be working on it (and billing it).
        if (m_requestWritten)
            message = QStringLiteral("Upstream %1 closed the connection before answering; the request was not re-sent "
                                     "because it may have been processed; retry it only if running it twice is acceptable").arg(m_url.host());
    }
    call->deliverFailure(kind, message);
}

