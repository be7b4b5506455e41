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
    socket.connectToHost(QHostAddress::LocalHost, port);
}

void RawClient::send(const QByteArray &bytes)
{
    socket.write(bytes);
    socket.flush();
}
