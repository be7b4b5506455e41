#include "CountingUpstream.h"

CountingUpstream::CountingUpstream(QObject *parent) : QObject(parent)
{
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        QTcpSocket *s = m_server.nextPendingConnection();
        ++connections;
        sockets.append(s);
        connect(s, &QTcpSocket::readyRead, s, [this, s] {
            const int seen = int(s->readAll().count("POST /"));
            for (int i = 0; i < seen; ++i) {
                if (++posts > answered) {
                    s->disconnectFromHost();
                    return;
                }
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            }
        });
    });
}

QUrl CountingUpstream::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
}
