#pragma once

#include "HttpHeaders.h"

#include <QObject>

class HttpConnection;

// The answer side of one request. A handler gets a pointer to it (keep it in a QPointer: it goes
// away with its connection) and either responds whole or streams with chunked transfer coding.
class HttpResponder : public QObject
{
    Q_OBJECT
public:
    enum class State { Pending, Streaming, Done, Gone };

    void respond(int status, const HttpHeaders &headers, const QByteArray &body);
    void beginStream(int status, const HttpHeaders &headers);
    void writeChunk(const QByteArray &data);
    void endStream();
    // Drops the connection without finishing the response: for a stream that cannot end cleanly.
    void abortConnection();

    State state() const { return m_state; }
    bool isOpen() const { return m_state == State::Pending || m_state == State::Streaming; }
    qint64 bytesToWrite() const;

Q_SIGNALS:
    // The client closed its connection before the response was complete.
    void clientGone();

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection *connection, bool keepAlive, int httpMinor, bool headOnly);
    void markGone();
    QByteArray head(int status, const HttpHeaders &headers, qint64 contentLength);

    HttpConnection *m_connection;
    State m_state = State::Pending;
    bool m_keepAlive;
    bool m_chunked = true;
    int m_httpMinor;
    bool m_headOnly; // a HEAD request: the head says what the body would be, no body follows
};
