#pragma once

#include <QByteArray>
#include <QTcpServer>
#include <QUrl>

// A test upstream that answers every request with one long text/event-stream body, written as fast
// as the peer takes it, and counts the bytes the kernel accepted from it: how far a slow reader at
// the other end let it get ahead. Lives in the thread that creates it.
class FastUpstream : public QObject
{
public:
    explicit FastUpstream(qint64 bodyBytes, QObject *parent = nullptr);

    // OpenAI-style chunk events of about `bytes` in all, then `data: [DONE]`; the same every time.
    static QByteArray streamBody(qint64 bytes);

    QUrl url(const QString &path = QStringLiteral("/v1/chat/completions")) const;
    const QByteArray &body() const { return m_body; }
    qint64 bodyBytesAccepted() const { return m_accepted; } // by the kernel, of the current answer
    int requests() const { return m_requests; }
    // Spins the event loop until the kernel has accepted nothing more for `quietMs` (true), or
    // `limitMs` have passed (false): how a test sees that a reader has brought this upstream to a stop.
    bool waitUntilHeldBack(int quietMs, int limitMs) const;

private:
    void serve(QTcpSocket *socket);
    void refill(QTcpSocket *socket);

    QTcpServer m_server;
    QByteArray m_body;
    qint64 m_sent = 0;      // handed to the socket
    qint64 m_accepted = 0;  // taken by the kernel
    qint64 m_headBytes = 0;
    int m_requests = 0;
};
