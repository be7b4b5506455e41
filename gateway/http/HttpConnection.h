#pragma once

#include "HttpLimits.h"
#include "HttpRequest.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <http_parser.h>

class HttpServer;
class HttpResponder;
class QTcpSocket;

// One client connection: parses requests with http-parser, enforces the limits, hands each request
// to the server's handler and holds back pipelined requests until the current response is done.
// Its life is a state machine over Phase; enter() is the one place a phase (and its timer) changes.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, quint64 id, HttpServer *server);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    // No request under way (accepted and silent, or keep-alive between requests): the server may
    // close it to make room under a flood.
    bool isIdle() const { return m_phase == Phase::Fresh || m_phase == Phase::Idle; }
    // Bytes have arrived that this connection has not read yet: its request is beginning, so it is
    // not really idle (the server accepts a burst in one pass, before any socket is read).
    bool hasUnreadInput() const;
    // Closes at once; for the server making room. closed() is emitted before it returns.
    void evict();

    // Used by HttpResponder.
    void writeResponseBytes(const QByteArray &bytes);
    void responseFinished(bool keepAlive);
    void abortFromResponder();
    qint64 bytesToWrite() const;

Q_SIGNALS:
    void closed();

private:
    enum class Phase {
        Fresh,      // accepted, no byte yet: header timeout
        Idle,       // keep-alive, waiting for the next request: keep-alive timeout
        Headers,    // a request's first byte arrived: header timeout
        Body,       // headers done: the body must keep moving (progress window)
        Dispatched, // the handler has it: no timer, pipelined input waits
        Lingering,  // an error answer went out: input is dropped for a bounded while, then close
        Closing,    // the last answer is being flushed before the close
        Gone,       // the socket is closed
    };

    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onChunkHeader(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);
    static const http_parser_settings &settings();

    void enter(Phase next);
    void onReadyRead();
    void parseInbox();
    void dispatch();
    bool countHeaderBytes(size_t len);
    void commitHeaderField();
    int refuse(int status, const QString &message);
    bool reserveBody(quint64 bytes);
    void releaseBody();
    void fail(int status, const QString &message);
    void shutdownWriteWhenFlushed();
    void onTimeout();
    void onSocketGone();

    QTcpSocket *m_socket;
    quint64 m_id;
    HttpServer *m_server;
    HttpLimits m_limits;
    http_parser m_parser;
    Phase m_phase = Phase::Fresh;
    QByteArray m_inbox;
    HttpRequest m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    qint64 m_headerBytes = 0;
    int m_failStatus = 0;       // set by a parser callback that refused the request
    QString m_failMessage;
    bool m_messageReady = false;
    qint64 m_bodyBudget = 0;    // bytes of the server's body budget this request holds
    qint64 m_windowStartBytes = 0; // body bytes at the start of the current progress window
    qint64 m_lingerBytes = 0;
    QPointer<HttpResponder> m_responder;
    QTimer m_timer;
};
