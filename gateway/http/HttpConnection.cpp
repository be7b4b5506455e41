#include "HttpConnection.h"

#include "HttpResponder.h"
#include "HttpServer.h"
#include "HttpStatus.h"

#include <QTcpSocket>

#include <sys/ioctl.h>
#include <sys/socket.h>

namespace {
HttpConnection *self(http_parser *p)
{
    return static_cast<HttpConnection *>(p->data);
}
} // namespace

const http_parser_settings &HttpConnection::settings()
{
    static const http_parser_settings s = [] {
        http_parser_settings v;
        http_parser_settings_init(&v);
        v.on_message_begin = &HttpConnection::onMessageBegin;
        v.on_url = &HttpConnection::onUrl;
        v.on_header_field = &HttpConnection::onHeaderField;
        v.on_header_value = &HttpConnection::onHeaderValue;
        v.on_headers_complete = &HttpConnection::onHeadersComplete;
        v.on_chunk_header = &HttpConnection::onChunkHeader;
        v.on_body = &HttpConnection::onBody;
        v.on_message_complete = &HttpConnection::onMessageComplete;
        return v;
    }();
    return s;
}

HttpConnection::HttpConnection(QTcpSocket *socket, quint64 id, HttpServer *server)
    : QObject(server), m_socket(socket), m_id(id), m_server(server), m_limits(server->limits())
{
    m_socket->setParent(this);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_phase == Phase::Lingering)
            shutdownWriteWhenFlushed();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onSocketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onSocketGone();
    });
    enter(Phase::Fresh);
}

HttpConnection::~HttpConnection() = default;

// The one place the phase changes: each phase brings its timer, its hold on the body budget and
// whether the server may close the connection to make room.
void HttpConnection::enter(Phase next)
{
    const bool wasIdle = isIdle();
    m_phase = next;
    switch (next) {
    case Phase::Fresh:
    case Phase::Headers:
        m_timer.start(m_limits.headerTimeoutMs);
        break;
    case Phase::Idle:
        releaseBody();
        m_timer.start(m_limits.keepAliveTimeoutMs);
        break;
    case Phase::Body:
        m_windowStartBytes = m_request.body.size();
        m_timer.start(m_limits.bodyTimeoutMs);
        break;
    case Phase::Dispatched:
        m_timer.stop();
        break;
    case Phase::Lingering:
        releaseBody();
        m_lingerBytes = 0;
        m_timer.start(m_limits.lingerMs);
        break;
    case Phase::Closing:
    case Phase::Gone:
        releaseBody();
        m_timer.stop();
        break;
    }
    if (wasIdle != isIdle() || next == Phase::Fresh)
        m_server->connectionIdleChanged(this, isIdle());
}

void HttpConnection::onReadyRead()
{
    switch (m_phase) {
    case Phase::Lingering:
        // The answer is out; what the client still sends is read only to be dropped.
        m_lingerBytes += m_socket->readAll().size();
        if (m_lingerBytes > m_limits.lingerMaxBytes)
            evict();
        return;
    case Phase::Closing:
    case Phase::Gone:
        m_socket->readAll();
        return;
    case Phase::Dispatched:
        m_inbox += m_socket->readAll();
        // A pipelined request waits for the current response; don't let it grow without bound.
        if (m_inbox.size() > m_limits.maxHeaderBytes + m_limits.maxBodyBytes)
            m_socket->abort();
        return;
    case Phase::Fresh:
    case Phase::Idle:
    case Phase::Headers:
    case Phase::Body:
        m_inbox += m_socket->readAll();
        parseInbox();
        return;
    }
}

void HttpConnection::parseInbox()
{
    const bool parsing = m_phase == Phase::Fresh || m_phase == Phase::Idle || m_phase == Phase::Headers || m_phase == Phase::Body;
    if (!parsing || m_inbox.isEmpty())
        return;
    const size_t consumed = http_parser_execute(&m_parser, &settings(), m_inbox.constData(), m_inbox.size());
    const auto err = HTTP_PARSER_ERRNO(&m_parser);
    if (err != HPE_OK && err != HPE_PAUSED) {
        if (m_failStatus != 0)
            fail(m_failStatus, m_failMessage);
        else if (err == HPE_HEADER_OVERFLOW)
            fail(431, QStringLiteral("Request headers are too large."));
        else
            fail(400, QStringLiteral("Malformed HTTP request: %1.").arg(QString::fromLatin1(http_errno_description(err))));
        return;
    }
    m_inbox.remove(0, qsizetype(consumed));
    if (m_messageReady) {
        m_messageReady = false;
        dispatch();
    }
}

int HttpConnection::refuse(int status, const QString &message)
{
    m_failStatus = status;
    m_failMessage = message;
    return -1;
}

bool HttpConnection::reserveBody(quint64 bytes)
{
    if (!m_server->reserveBodyBytes(qint64(bytes)))
        return false;
    m_bodyBudget += qint64(bytes);
    return true;
}

void HttpConnection::releaseBody()
{
    if (m_bodyBudget == 0)
        return;
    m_server->releaseBodyBytes(m_bodyBudget);
    m_bodyBudget = 0;
}

int HttpConnection::onMessageBegin(http_parser *p)
{
    HttpConnection *c = self(p);
    c->m_request = HttpRequest();
    c->m_field.clear();
    c->m_value.clear();
    c->m_lastWasValue = false;
    c->m_headerBytes = 0;
    c->enter(Phase::Headers);
    return 0;
}

bool HttpConnection::countHeaderBytes(size_t len)
{
    // Separators and line ends count too; four bytes per field is close enough for a limit.
    m_headerBytes += qint64(len);
    if (m_headerBytes > m_limits.maxHeaderBytes) {
        refuse(431, QStringLiteral("Request headers are larger than the limit of %1 bytes.").arg(m_limits.maxHeaderBytes));
        return false;
    }
    return true;
}

int HttpConnection::onUrl(http_parser *p, const char *at, size_t len)
{
    HttpConnection *c = self(p);
    if (!c->countHeaderBytes(len))
        return -1;
    c->m_request.target.append(at, qsizetype(len));
    return 0;
}

void HttpConnection::commitHeaderField()
{
    if (!m_field.isEmpty())
        m_request.headers.add(m_field.toLower(), m_value.trimmed());
    m_field.clear();
    m_value.clear();
}

int HttpConnection::onHeaderField(http_parser *p, const char *at, size_t len)
{
    HttpConnection *c = self(p);
    if (!c->countHeaderBytes(len + 4))
        return -1;
    if (c->m_lastWasValue) {
        c->commitHeaderField();
        c->m_lastWasValue = false;
    }
    c->m_field.append(at, qsizetype(len));
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    HttpConnection *c = self(p);
    if (!c->countHeaderBytes(len))
        return -1;
    c->m_lastWasValue = true;
    c->m_value.append(at, qsizetype(len));
    return 0;
}

namespace {
QString budgetMessage(qint64 budget)
{
    return QStringLiteral("The server is already holding its limit of %1 bytes of request bodies from other clients; "
                          "retry shortly, or send a smaller body.").arg(budget);
}
} // namespace

int HttpConnection::onHeadersComplete(http_parser *p)
{
    HttpConnection *c = self(p);
    c->commitHeaderField();
    HttpRequest &r = c->m_request;
    r.method = http_method_str(http_method(p->method));
    r.httpMinor = p->http_minor;
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    r.query = q < 0 ? QByteArray() : r.target.mid(q + 1);
    if (p->flags & F_CONTENTLENGTH) {
        // Unsigned: a length of 2^63 or more must not pass as a negative number.
        if (p->content_length > quint64(c->m_limits.maxBodyBytes))
            return c->refuse(413, QStringLiteral("Request body of %1 bytes is larger than the limit of %2 bytes.")
                                      .arg(quint64(p->content_length)).arg(c->m_limits.maxBodyBytes));
        // The whole declared length is taken at once, so half-sent bodies can't overcommit it.
        if (!c->reserveBody(p->content_length))
            return c->refuse(503, budgetMessage(c->m_limits.maxHeldBodyBytes));
        // One allocation of the declared size (the budget covers it; pages are touched only as
        // bytes arrive) instead of growth by doubling, which could hold twice the budget.
        r.body.reserve(qsizetype(p->content_length));
    }
    if (r.headers.value("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        c->m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    c->enter(Phase::Body);
    return 0;
}

int HttpConnection::onChunkHeader(http_parser *p)
{
    // http-parser gives the chunk's declared size in content_length, before any of its bytes.
    HttpConnection *c = self(p);
    const quint64 size = p->content_length;
    if (size == 0)
        return 0;
    const quint64 room = quint64(c->m_limits.maxBodyBytes - c->m_request.body.size());
    if (size > room)
        return c->refuse(413, QStringLiteral("A chunk of %1 bytes takes the request body past the limit of %2 bytes.")
                                  .arg(size).arg(c->m_limits.maxBodyBytes));
    if (!c->reserveBody(size))
        return c->refuse(503, budgetMessage(c->m_limits.maxHeldBodyBytes));
    return 0;
}

int HttpConnection::onBody(http_parser *p, const char *at, size_t len)
{
    HttpConnection *c = self(p);
    if (c->m_request.body.size() + qint64(len) > c->m_limits.maxBodyBytes)
        return c->refuse(413, QStringLiteral("Request body is larger than the limit of %1 bytes.").arg(c->m_limits.maxBodyBytes));
    c->m_request.body.append(at, qsizetype(len));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *p)
{
    HttpConnection *c = self(p);
    c->m_request.keepAlive = http_should_keep_alive(p) != 0;
    c->m_messageReady = true;
    // One request at a time: the rest of the inbox waits until this one is answered.
    http_parser_pause(p, 1);
    return 0;
}

void HttpConnection::dispatch()
{
    enter(Phase::Dispatched);
    m_request.peerAddress = m_socket->peerAddress();
    m_request.peerPort = m_socket->peerPort();
    m_request.localPort = m_socket->localPort();
    m_request.connectionId = m_id;
    if (m_responder)
        m_responder->deleteLater();
    m_responder = new HttpResponder(this, m_request.keepAlive, m_request.httpMinor, m_request.method == "HEAD");
    m_server->dispatch(m_request, m_responder);
}

void HttpConnection::writeResponseBytes(const QByteArray &bytes)
{
    if (m_phase == Phase::Gone)
        return;
    m_socket->write(bytes);
    // Write now rather than on the next turn of the event loop: a streamed chunk should leave at once.
    m_socket->flush();
}

qint64 HttpConnection::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

void HttpConnection::responseFinished(bool keepAlive)
{
    if (m_phase == Phase::Gone)
        return;
    if (!keepAlive) {
        enter(Phase::Closing);
        m_socket->disconnectFromHost();
        return;
    }
    // The body budget is held until here: the request (and its body) lives until its answer is done.
    m_request = HttpRequest();
    http_parser_pause(&m_parser, 0);
    enter(Phase::Idle);
    // Queued, so a handler that answers synchronously doesn't recurse through pipelined requests.
    QMetaObject::invokeMethod(this, &HttpConnection::parseInbox, Qt::QueuedConnection);
}

void HttpConnection::abortFromResponder()
{
    enter(Phase::Closing);
    m_socket->abort();
}

bool HttpConnection::hasUnreadInput() const
{
    // QTcpSocket's bytesAvailable() counts only what Qt has read; the kernel may hold more.
    int pending = 0;
    return m_socket->bytesAvailable() > 0
        || (::ioctl(int(m_socket->socketDescriptor()), FIONREAD, &pending) == 0 && pending > 0);
}

void HttpConnection::evict()
{
    m_socket->abort();
    onSocketGone();
}

// The error answer goes out, then the connection lingers like nginx's lingering close: closing
// while the client is still sending would reset the connection, and a reset can destroy the
// answer before the client reads it. So the write side is shut (the client sees the answer end),
// and input is dropped until the client closes or the lingering time or byte bound runs out.
void HttpConnection::fail(int status, const QString &message)
{
    const QByteArray path = m_request.target.split('?').value(0);
    const QByteArray body = m_server->errorBody(path, status, message);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpStatus::reasonPhrase(status) + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nConnection: close\r\n\r\n" + body;
    m_inbox.clear();
    m_request.body.clear();
    enter(Phase::Lingering);
    m_socket->write(out);
    m_socket->flush();
    shutdownWriteWhenFlushed();
}

void HttpConnection::shutdownWriteWhenFlushed()
{
    // QTcpSocket has no half-close; shutting the descriptor's write side leaves Qt reading as before.
    if (m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void HttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Fresh:
    case Phase::Idle:
        // Nothing was asked, so nothing is answered.
        enter(Phase::Closing);
        m_socket->disconnectFromHost();
        break;
    case Phase::Headers:
        fail(408, QStringLiteral("The request headers did not arrive within %1 ms.").arg(m_limits.headerTimeoutMs));
        break;
    case Phase::Body: {
        const qint64 arrived = m_request.body.size() - m_windowStartBytes;
        const qint64 needed = qMax<qint64>(1, m_limits.minBodyBytesPerSecond * m_limits.bodyTimeoutMs / 1000);
        if (arrived < needed) {
            fail(408, QStringLiteral("The request body stalled: %1 bytes arrived in %2 ms, fewer than %3 bytes per second. "
                                     "Send the body without pauses.")
                          .arg(arrived).arg(m_limits.bodyTimeoutMs).arg(m_limits.minBodyBytesPerSecond));
        } else {
            enter(Phase::Body); // the next window
        }
        break;
    }
    case Phase::Lingering:
        evict();
        break;
    case Phase::Dispatched:
    case Phase::Closing:
    case Phase::Gone:
        break;
    }
}

void HttpConnection::onSocketGone()
{
    if (m_phase == Phase::Gone)
        return;
    enter(Phase::Gone);
    if (m_responder)
        m_responder->markGone();
    Q_EMIT closed();
    deleteLater();
}
