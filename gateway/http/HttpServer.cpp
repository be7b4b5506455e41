#include "HttpServer.h"

#include "HttpConnection.h"
#include "HttpResponder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

HttpServer::HttpServer(QObject *parent) : QTcpServer(parent)
{
    // http-parser's own ceiling is process-wide; ours is per server and checked in the callbacks,
    // so lift the parser's above any limit we would configure.
    http_parser_set_max_header_size(16 * 1024 * 1024);
    // Qt's default backlog of 50 drops connection attempts in a burst (the client retries a second later).
    setListenBacklogSize(4096);
}

void HttpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    // Streams are many small writes: Nagle's algorithm would hold each chunk back.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto *connection = new HttpConnection(socket, m_nextConnectionId++, this);
    ++m_connectionCount;
    connect(connection, &HttpConnection::closed, this, &HttpServer::connectionClosed);
    if (m_connectionCount >= m_limits.maxConnections)
        pauseAccepting();
}

void HttpServer::connectionClosed()
{
    --m_connectionCount;
    if (m_connectionCount < m_limits.maxConnections)
        resumeAccepting();
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
