#include "TestSupport.h"

#include <QTcpServer>

#include <sys/resource.h>

quint16 TestSupport::freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

void TestSupport::raiseFileLimit()
{
    struct rlimit rl = {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

RawClient::RawClient(quint16 port, QObject *parent) : QObject(parent)
{
    connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
    connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
    connect(&socket, &QTcpSocket::connected, this, [this] {
        socket.write(std::exchange(m_pending, QByteArray()));
        socket.flush();
    });
    socket.connectToHost(QHostAddress::LocalHost, port);
}

void RawClient::send(const QByteArray &bytes)
{
    // Bytes sent before the connection is up go out as soon as it is.
    if (socket.state() != QAbstractSocket::ConnectedState) {
        m_pending += bytes;
        return;
    }
    socket.write(bytes);
    socket.flush();
}
