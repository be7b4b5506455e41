#pragma once

// The server under test for tst_HttpServer and tst_HttpConnection, on a free loopback port, with a
// handler of a few test paths (/slow, /hold, /stream, anything else echoes), and the clients those
// tests need beyond RawClient.
#include "TestSupport.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

// Open descriptors of this process (client and server sides of every test socket).
inline int openFileCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size());
}

// Sends a request head, then as much body as it is told, as fast as the socket takes it, and
// reads whatever comes back: the client that loses an early error answer to a reset.
class UploadClient : public QObject
{
public:
    UploadClient(quint16 port, const QByteArray &head, qint64 bodyBytes) : m_head(head), m_left(bodyBytes)
    {
        connect(&socket, &QTcpSocket::connected, this, [this] { socket.write(m_head); pump(); });
        connect(&socket, &QTcpSocket::bytesWritten, this, [this] { pump(); });
        connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { done = true; });
        connect(&socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError)
                error = socket.errorString();
            done = true;
        });
        socket.connectToHost(QHostAddress::LocalHost, port);
    }
    QTcpSocket socket;
    QByteArray received;
    QString error;
    bool done = false;

private:
    void pump()
    {
        static const QByteArray piece(1024 * 1024, 'x');
        while (m_left > 0 && socket.state() == QAbstractSocket::ConnectedState && socket.bytesToWrite() < 4 * piece.size()) {
            const qint64 n = qMin<qint64>(m_left, piece.size());
            socket.write(piece.constData(), n);
            m_left -= n;
        }
    }
    QByteArray m_head;
    qint64 m_left;
};
// A blocking client on its own thread that, unlike QTcpSocket, does not close when the server's
// side ends: it sends the head and up to `bodyBytes`, ignoring the answer, then holds the socket
// open until `release` (or until the server closes it under a write).
class StubbornClient
{
public:
    StubbornClient(quint16 port, const QByteArray &head, qint64 bodyBytes)
    {
        m_thread = std::thread([this, port, head, bodyBytes] {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a = {};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0
                && ::send(fd, head.constData(), size_t(head.size()), MSG_NOSIGNAL) == head.size()) {
                static const QByteArray piece(64 * 1024, 'x');
                while (sent < bodyBytes) {
                    const ssize_t n = ::send(fd, piece.constData(), size_t(qMin<qint64>(piece.size(), bodyBytes - sent)), MSG_NOSIGNAL);
                    if (n <= 0) {
                        writeFailed = true;
                        break;
                    }
                    sent += n;
                }
            }
            finished = true;
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            ::close(fd);
        });
    }
    ~StubbornClient()
    {
        release = true;
        m_thread.join();
    }
    std::atomic<qint64> sent{0};
    std::atomic<bool> writeFailed{false};
    std::atomic<bool> finished{false};
    std::atomic<bool> release{false};

private:
    std::thread m_thread;
};

class HttpServerFixture : public QObject
{
protected:
    HttpServer *m_server = nullptr;
    QList<HttpRequest> m_seen;
    int m_clientGone = 0;
    QPointer<HttpResponder> m_streaming;
    QList<QPointer<HttpResponder>> m_held;

    quint16 start(const HttpLimits &limits = {})
    {
        delete m_server;
        m_seen.clear();
        m_held.clear();
        m_clientGone = 0;
        m_server = new HttpServer(this);
        m_server->setLimits(limits);
        m_server->setErrorFormatter([](const QByteArray &path, int status, const QString &message) {
            const QString kind = path.startsWith("/v1/messages") ? QStringLiteral("anthropic") : QStringLiteral("openai");
            return QJsonDocument(QJsonObject{{"shape", kind}, {"status", status}, {"message", message}}).toJson(QJsonDocument::Compact);
        });
        m_server->setHandler([this](const HttpRequest &r, HttpResponder *responder) {
            m_seen.append(r);
            connect(responder, &HttpResponder::clientGone, this, [this] { ++m_clientGone; });
            HttpHeaders h;
            h.add("content-type", "text/plain");
            if (r.path == "/slow") {
                QPointer<HttpResponder> p(responder);
                QTimer::singleShot(150, this, [p, h] { if (p) p->respond(200, h, "slow"); });
            } else if (r.path == "/hold") {
                m_held.append(responder);
            } else if (r.path == "/stream") {
                responder->beginStream(200, h);
                responder->writeChunk("first");
                m_streaming = responder;
            } else {
                responder->respond(200, h, "echo:" + r.method + ' ' + r.target + " body=" + r.body);
            }
        });
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            qFatal("listen failed");
        return m_server->serverPort();
    }
};
