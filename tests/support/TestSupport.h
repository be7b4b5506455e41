#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTcpSocket>

// Small shared helpers for tests.
namespace TestSupport {
// A TCP port on 127.0.0.1 that was free a moment ago.
quint16 freePort();
// Raises the open-file limit so tests with thousands of sockets can run.
void raiseFileLimit();
}

// A raw TCP client that collects everything the server sends, for tests that need to see bytes
// exactly as they travel. Works without blocking: wait with QTRY_VERIFY on its members.
class RawClient : public QObject
{
    Q_OBJECT
public:
    explicit RawClient(quint16 port, QObject *parent = nullptr);
    void send(const QByteArray &bytes);
    QByteArray received;
    bool closed = false;
    QTcpSocket socket;

private:
    QByteArray m_pending;
};
