#include "FastUpstream.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTcpSocket>

namespace {
constexpr qint64 kWriteAhead = 256 * 1024; // what the upstream keeps queued in its own socket
}

FastUpstream::FastUpstream(qint64 bodyBytes, QObject *parent) : QObject(parent), m_body(streamBody(bodyBytes))
{
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        QTcpSocket *s = m_server.nextPendingConnection();
        connect(s, &QTcpSocket::readyRead, this, [this, s] {
            if (s->readAll().contains("\r\n\r\n"))
                serve(s);
        });
        connect(s, &QTcpSocket::bytesWritten, this, [this, s](qint64 n) {
            const qint64 head = qMin(n, m_headBytes);
            m_headBytes -= head;
            m_accepted += n - head;
            refill(s);
        });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
    });
}

QByteArray FastUpstream::streamBody(qint64 bytes)
{
    QByteArray out;
    out.reserve(bytes + 256);
    for (qint64 i = 0; out.size() < bytes; ++i)
        out += "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" w"
            + QByteArray::number(i) + "\"}}]}\n\n";
    out += "data: [DONE]\n\n";
    return out;
}

QUrl FastUpstream::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
}

void FastUpstream::serve(QTcpSocket *socket)
{
    ++m_requests;
    m_sent = m_accepted = 0;
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
        + QByteArray::number(m_body.size()) + "\r\n\r\n";
    m_headBytes = head.size();
    socket->write(head);
    refill(socket);
}

void FastUpstream::refill(QTcpSocket *socket)
{
    while (m_sent < m_body.size() && socket->bytesToWrite() < kWriteAhead) {
        const qint64 n = qMin<qint64>(64 * 1024, m_body.size() - m_sent);
        socket->write(m_body.constData() + m_sent, n);
        m_sent += n;
    }
}

bool FastUpstream::waitUntilHeldBack(int quietMs, int limitMs) const
{
    QElapsedTimer total, quiet;
    total.start();
    quiet.start();
    qint64 last = m_accepted;
    while (total.elapsed() < limitMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (m_accepted != last) {
            last = m_accepted;
            quiet.restart();
        } else if (quiet.elapsed() >= quietMs) {
            return true;
        }
    }
    return false;
}
