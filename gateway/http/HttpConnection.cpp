#include "HttpConnection.h"

#include "HttpResponder.h"
#include "HttpServer.h"
#include "HttpStatus.h"

#include <QTcpSocket>

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
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onSocketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            onSocketGone();
    });
    startTimer(m_limits.keepAliveTimeoutMs);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::startTimer(int ms)
{
    if (ms > 0)
        m_timer.start(ms);
    else
        m_timer.stop();
}

void HttpConnection::onReadyRead()
{
    m_inbox += m_socket->readAll();
    if (m_phase == Phase::Dispatched) {
        // A pipelined request waits for the current response; don't let it grow without bound.
        if (m_inbox.size() > m_limits.maxHeaderBytes + m_limits.maxBodyBytes)
            m_socket->abort();
        return;
    }
    parseInbox();
}

void HttpConnection::parseInbox()
{
    if (m_phase == Phase::Dispatched || m_phase == Phase::Closing || m_inbox.isEmpty())
        return;
    const size_t consumed = http_parser_execute(&m_parser, &settings(), m_inbox.constData(), m_inbox.size());
    const auto err = HTTP_PARSER_ERRNO(&m_parser);
    if (err != HPE_OK && err != HPE_PAUSED) {
        if (m_failStatus != 0)
            fail(m_failStatus, m_failStatus == 413
                     ? QStringLiteral("Request body is larger than the limit of %1 bytes.").arg(m_limits.maxBodyBytes)
                     : QStringLiteral("Request headers are larger than the limit of %1 bytes.").arg(m_limits.maxHeaderBytes));
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

int HttpConnection::onMessageBegin(http_parser *p)
{
    HttpConnection *c = self(p);
    c->m_request = HttpRequest();
    c->m_field.clear();
    c->m_value.clear();
    c->m_lastWasValue = false;
    c->m_headerBytes = 0;
    c->m_phase = Phase::Headers;
    c->startTimer(c->m_limits.headerTimeoutMs);
    return 0;
}

bool HttpConnection::countHeaderBytes(size_t len)
{
    // Separators and line ends count too; four bytes per field is close enough for a limit.
    m_headerBytes += qint64(len);
    if (m_headerBytes > m_limits.maxHeaderBytes) {
        m_failStatus = 431;
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
    if ((p->flags & F_CONTENTLENGTH) && qint64(p->content_length) > c->m_limits.maxBodyBytes) {
        c->m_failStatus = 413;
        return -1;
    }
    if (r.headers.value("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        c->m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    c->m_phase = Phase::Body;
    c->startTimer(c->m_limits.bodyTimeoutMs);
    return 0;
}

int HttpConnection::onBody(http_parser *p, const char *at, size_t len)
{
    HttpConnection *c = self(p);
    if (c->m_request.body.size() + qint64(len) > c->m_limits.maxBodyBytes) {
        c->m_failStatus = 413;
        return -1;
    }
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
    m_phase = Phase::Dispatched;
    m_timer.stop();
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
    if (m_gone)
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
    if (m_gone)
        return;
    if (!keepAlive) {
        m_phase = Phase::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_phase = Phase::Idle;
    m_request = HttpRequest();
    http_parser_pause(&m_parser, 0);
    startTimer(m_limits.keepAliveTimeoutMs);
    // Queued, so a handler that answers synchronously doesn't recurse through pipelined requests.
    QMetaObject::invokeMethod(this, &HttpConnection::parseInbox, Qt::QueuedConnection);
}

void HttpConnection::abortFromResponder()
{
    m_phase = Phase::Closing;
    m_socket->abort();
}

void HttpConnection::fail(int status, const QString &message)
{
    m_phase = Phase::Closing;
    m_timer.stop();
    const QByteArray path = m_request.target.split('?').value(0);
    const QByteArray body = m_server->errorBody(path, status, message);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpStatus::reasonPhrase(status) + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nConnection: close\r\n\r\n" + body;
    m_socket->write(out);
    m_socket->disconnectFromHost();
}

void HttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Idle:
        m_phase = Phase::Closing;
        m_socket->disconnectFromHost();
        break;
    case Phase::Headers:
        fail(408, QStringLiteral("The request headers did not arrive within %1 ms.").arg(m_limits.headerTimeoutMs));
        break;
    case Phase::Body:
        fail(408, QStringLiteral("The request body did not arrive within %1 ms.").arg(m_limits.bodyTimeoutMs));
        break;
    default:
        break;
    }
}

void HttpConnection::onSocketGone()
{
    if (m_gone)
        return;
    m_gone = true;
    m_timer.stop();
    if (m_responder)
        m_responder->markGone();
    Q_EMIT closed();
    deleteLater();
}
