#pragma once

#include "HttpHeaders.h"

#include <QObject>

class HttpConnection;
class QIODevice;

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

    // Flow control for a slow client. Bytes handed to the client's socket and not yet taken by the
    // kernel pile up in memory; past the high-water mark the responder is congested, and once it
    // has drained to the low-water mark it says so with drained(), so a producer can pause and
    // resume instead of buffering without bound.
    static constexpr qint64 kHighWaterBytes = 1024 * 1024;
    static constexpr qint64 kLowWaterBytes = 256 * 1024;
    qint64 pendingBytes() const;
    bool isCongested() const;

Q_SIGNALS:
    // The client closed its connection before the response was complete.
    void clientGone();
    // Pending bytes fell to the low-water mark after having been above the high-water mark.
    void drained();

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection *connection, bool keepAlive, int httpMinor, bool headOnly);
    void markGone();
    QByteArray head(int status, const HttpHeaders &headers, qint64 contentLength);
    void write(const QByteArray &bytes);
    void onBytesWritten();

    HttpConnection *m_connection;
    State m_state = State::Pending;
    bool m_keepAlive;
    bool m_chunked = true;
    int m_httpMinor;
    bool m_headOnly; // a HEAD request: the head says what the body would be, no body follows
    QIODevice *m_socket = nullptr; // the connection's, watched for bytesWritten
    bool m_wasCongested = false; // went past the high-water mark; drained() is owed
};
