#include "HttpResponder.h"

#include "HttpConnection.h"
#include "HttpStatus.h"

#include <QTcpSocket>

HttpResponder::HttpResponder(HttpConnection *connection, bool keepAlive, int httpMinor, bool headOnly)
    : QObject(connection), m_connection(connection), m_keepAlive(keepAlive), m_httpMinor(httpMinor), m_headOnly(headOnly)
{
    // The connection owns its socket as a child; the responder only watches it drain.
    m_socket = connection->findChild<QTcpSocket *>(QString(), Qt::FindDirectChildrenOnly);
    if (m_socket)
        connect(m_socket, &QIODevice::bytesWritten, this, &HttpResponder::onBytesWritten);
}

qint64 HttpResponder::pendingBytes() const
{
    return bytesToWrite();
}

bool HttpResponder::isCongested() const
{
    return pendingBytes() > kHighWaterBytes;
}

void HttpResponder::write(const QByteArray &bytes)
{
    m_connection->writeResponseBytes(bytes);
    // Pending bytes only grow here: past the high-water mark, the next drain is owed.
    if (isCongested())
        m_wasCongested = true;
}

void HttpResponder::onBytesWritten()
{
    if (!m_wasCongested || pendingBytes() > kLowWaterBytes)
        return;
    m_wasCongested = false;
    Q_EMIT drained();
}

QByteArray HttpResponder::head(int status, const HttpHeaders &headers, qint64 contentLength)
{
    QByteArray out;
    out.reserve(256);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpStatus::reasonPhrase(status) + "\r\n";
    for (const auto &f : headers.fields()) {
        // Framing is ours to decide; a handler's copy of these would corrupt the message.
        if (f.first.compare("content-length", Qt::CaseInsensitive) == 0
            || f.first.compare("transfer-encoding", Qt::CaseInsensitive) == 0
            || f.first.compare("connection", Qt::CaseInsensitive) == 0)
            continue;
        out += f.first + ": " + f.second + "\r\n";
    }
    if (contentLength >= 0)
        out += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    else if (m_chunked)
        out += "Transfer-Encoding: chunked\r\n";
    if (!m_keepAlive)
        out += "Connection: close\r\n";
    out += "\r\n";
    return out;
}

void HttpResponder::respond(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (m_state != State::Pending)
        return;
    m_state = State::Done;
    write(m_headOnly ? head(status, headers, body.size()) : head(status, headers, body.size()) + body);
    m_connection->responseFinished(m_keepAlive);
}

void HttpResponder::beginStream(int status, const HttpHeaders &headers)
{
    if (m_state != State::Pending)
        return;
    // HTTP/1.0 clients don't know chunked coding: the end of the body is the end of the connection.
    m_chunked = m_httpMinor >= 1;
    if (!m_chunked)
        m_keepAlive = false;
    m_state = State::Streaming;
    write(head(status, headers, -1));
}

void HttpResponder::writeChunk(const QByteArray &data)
{
    if (m_state != State::Streaming || data.isEmpty() || m_headOnly)
        return;
    if (!m_chunked) {
        write(data);
        return;
    }
    QByteArray framed;
    framed.reserve(data.size() + 12);
    framed += QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
    write(framed);
}

void HttpResponder::endStream()
{
    if (m_state != State::Streaming)
        return;
    m_state = State::Done;
    if (m_chunked && !m_headOnly)
        write("0\r\n\r\n");
    m_connection->responseFinished(m_keepAlive);
}

void HttpResponder::abortConnection()
{
    if (!isOpen())
        return;
    m_state = State::Gone;
    m_connection->abortFromResponder();
}

qint64 HttpResponder::bytesToWrite() const
{
    return m_connection->bytesToWrite();
}

void HttpResponder::markGone()
{
    if (!isOpen())
        return;
    m_state = State::Gone;
    Q_EMIT clientGone();
}
