#include "HttpServer.h"

#include "HttpConnection.h"
#include "HttpResponder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

#include <unistd.h>

HttpServer::HttpServer(QObject *parent) : QTcpServer(parent)
{
    // http-parser's own ceiling is process-wide; ours is per server and checked in the callbacks,
    // so lift the parser's above any limit we would configure.
    http_parser_set_max_header_size(16 * 1024 * 1024);
    // Qt's default backlog of 50 drops connection attempts in a burst (the client retries a second later).
    setListenBacklogSize(4096);
}

// QTcpServer's accept loop runs until the backlog is empty and does not look at pauseAccepting()
// (only at its own pending-connection queue, which a subclass overriding incomingConnection()
// never fills), so the cap is enforced here, on each accepted socket.
void HttpServer::incomingConnection(qintptr descriptor)
{
    if (m_connectionCount >= m_limits.maxConnections && !evictOldestIdle()) {
        // Every connection has a request under way: refuse this one at once (and any others Qt
        // accepts in this same pass), and let later ones wait in the listen backlog until a
        // connection closes or goes idle.
        ::close(int(descriptor));
        pauseAccepting();
        m_acceptingPaused = true;
        return;
    }
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    // Streams are many small writes: Nagle's algorithm would hold each chunk back.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    ++m_connectionCount;
    auto *connection = new HttpConnection(socket, m_nextConnectionId++, this);
    connect(connection, &HttpConnection::closed, this, &HttpServer::connectionClosed);
}

// Like nginx under pressure on keep-alive connections: the connection idle the longest (silent since
// accept, or between requests) makes room, so a flood of idle sockets can't lock clients out.
// One whose request bytes are already waiting is skipped; the search is bounded so a flood can't
// make each accept walk every connection.
bool HttpServer::evictOldestIdle()
{
    int looked = 0;
    for (auto it = m_idle.begin(); it != m_idle.end() && looked < 64; ++it, ++looked) {
        if (!it->second->hasUnreadInput()) {
            it->second->evict(); // closes now: connectionClosed() and connectionIdleChanged() run before it returns
            return true;
        }
    }
    return false;
}

void HttpServer::connectionIdleChanged(HttpConnection *connection, bool idle)
{
    if (idle) {
        const quint64 since = ++m_idleClock;
        m_idle.emplace(since, connection);
        m_idleSince.insert(connection, since);
        if (m_acceptingPaused) {
            m_acceptingPaused = false;
            resumeAccepting();
        }
        return;
    }
    const auto it = m_idleSince.constFind(connection);
    if (it == m_idleSince.cend())
        return;
    m_idle.erase(it.value());
    m_idleSince.erase(it);
}

void HttpServer::connectionClosed()
{
    --m_connectionCount;
    if (m_acceptingPaused && m_connectionCount < m_limits.maxConnections) {
        m_acceptingPaused = false;
        resumeAccepting();
    }
}

bool HttpServer::reserveBodyBytes(qint64 bytes)
{
    if (m_heldBodyBytes + bytes > m_limits.maxHeldBodyBytes)
        return false;
    m_heldBodyBytes += bytes;
    return true;
}

void HttpServer::releaseBodyBytes(qint64 bytes)
{
    m_heldBodyBytes -= bytes;
}

void HttpServer::dispatch(const HttpRequest &request, HttpResponder *responder)
{
    if (m_handler) {
        m_handler(request, responder);
        return;
    }
    HttpHeaders headers;
    headers.add("content-type", "application/json");
    responder->respond(404, headers, errorBody(request.path, 404, QStringLiteral("No handler")));
}

QByteArray HttpServer::errorBody(const QByteArray &path, int status, const QString &message) const
{
    if (m_errorFormatter)
        return m_errorFormatter(path, status, message);
    QJsonObject error{{"message", message}, {"type", "invalid_request_error"}, {"code", status}};
    return QJsonDocument(QJsonObject{{"error", error}}).toJson(QJsonDocument::Compact);
}
