#include "ClientConnection.h"

#include "BenchClock.h"

#include <QTcpSocket>

namespace {
ClientConnection *self(http_parser *p)
{
    return static_cast<ClientConnection *>(p->data);
}
} // namespace

const http_parser_settings &ClientConnection::settings()
{
    static const http_parser_settings s = [] {
        http_parser_settings v;
        http_parser_settings_init(&v);
        v.on_headers_complete = &ClientConnection::onHeadersComplete;
        v.on_body = &ClientConnection::onBody;
        v.on_message_complete = &ClientConnection::onMessageComplete;
        return v;
    }();
    return s;
}

ClientConnection::ClientConnection(const BenchTarget &target, bool deliverBody, QObject *parent)
    : QObject(parent), m_target(target), m_deliverBody(deliverBody), m_socket(new QTcpSocket(this))
{
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_connected = true;
        Q_EMIT connected();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &ClientConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            fail(m_socket->errorString());
    });
}

ClientConnection::~ClientConnection() = default;

void ClientConnection::open()
{
    m_socket->connectToHost(m_target.host, m_target.port);
}

qint64 ClientConnection::send()
{
    return send(m_target.request);
}

qint64 ClientConnection::send(const QByteArray &request)
{
    m_busy = true;
    m_complete = false;
    m_socket->write(request);
    m_socket->flush();
    return benchNowNs();
}

int ClientConnection::onHeadersComplete(http_parser *p)
{
    Q_EMIT self(p)->headReceived(int(p->status_code));
    return 0;
}

int ClientConnection::onBody(http_parser *p, const char *at, size_t length)
{
    ClientConnection *c = self(p);
    if (c->m_deliverBody)
        Q_EMIT c->bodyReceived(QByteArray(at, qsizetype(length)), c->m_arrivalNs);
    return 0;
}

int ClientConnection::onMessageComplete(http_parser *p)
{
    self(p)->m_complete = true;
    return 0;
}

void ClientConnection::onReadyRead()
{
    m_arrivalNs = benchNowNs();
    const QByteArray data = m_socket->readAll();
    if (m_dead)
        return;
    if (!m_busy) {
        fail(QStringLiteral("bytes arrived with no request outstanding"));
        return;
    }
    const size_t n = http_parser_execute(&m_parser, &settings(), data.constData(), size_t(data.size()));
    if (m_parser.http_errno != HPE_OK || n != size_t(data.size())) {
        fail(QStringLiteral("bad response: %1").arg(QString::fromLatin1(http_errno_description(http_errno(m_parser.http_errno)))));
        return;
    }
    if (m_complete) {
        m_complete = false;
        m_busy = false;
        Q_EMIT responseComplete(int(m_parser.status_code), m_arrivalNs);
    }
}

void ClientConnection::onDisconnected()
{
    if (m_dead)
        return;
    if (m_busy) {
        // A response framed by the end of the connection completes here.
        http_parser_execute(&m_parser, &settings(), nullptr, 0);
        if (m_complete) {
            m_complete = false;
            m_busy = false;
            m_connected = false;
            Q_EMIT responseComplete(int(m_parser.status_code), benchNowNs());
            m_dead = true;
            Q_EMIT failed(QStringLiteral("closed"));
            return;
        }
    }
    fail(m_busy ? QStringLiteral("connection closed mid-response") : QStringLiteral("closed"));
}

void ClientConnection::fail(const QString &why)
{
    if (m_dead)
        return;
    m_dead = true;
    m_connected = false;
    m_socket->abort();
    Q_EMIT failed(why);
}
