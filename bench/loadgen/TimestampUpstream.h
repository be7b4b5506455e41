#pragma once

#include <QObject>

class QTcpServer;

// A minimal OpenAI-style streaming upstream for measuring relay delay: every content event
// carries, as its text, the monotonic time in nanoseconds at which it was written to the socket
// ("t123456789"). A client that reads it (directly or through a proxy) subtracts that from its
// own arrival time: the delay of each chunk, measured on one clock. Chunks follow at a fixed
// interval, the first at once; the count comes from the `x-bench-chunks` request header or the
// default. Usage and `[DONE]` end each stream, as at OpenAI. Runs on whatever thread owns it.
class TimestampUpstream : public QObject
{
    Q_OBJECT
public:
    TimestampUpstream(int chunks, int intervalMs, QObject *parent = nullptr);
    bool listen(quint16 port, QString *error);

private:
    QTcpServer *m_server;
    int m_chunks;
    int m_intervalMs;
};
