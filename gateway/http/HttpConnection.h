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
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, quint64 id, HttpServer *server);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }

    // Used by HttpResponder.
    void writeResponseBytes(const QByteArray &bytes);
    void responseFinished(bool keepAlive);
    void abortFromResponder();
    qint64 bytesToWrite() const;

Q_SIGNALS:
    void closed();

private:
    enum class Phase { Idle, Headers, Body, Dispatched, Closing };

    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);
    static const http_parser_settings &settings();

    void onReadyRead();
    void parseInbox();
    void dispatch();
    bool countHeaderBytes(size_t len);
    void commitHeaderField();
    void fail(int status, const QString &message);
    void onTimeout();
    void startTimer(int ms);
    void onSocketGone();

    QTcpSocket *m_socket;
    quint64 m_id;
    HttpServer *m_server;
    HttpLimits m_limits;
    http_parser m_parser;
    Phase m_phase = Phase::Idle;
    QByteArray m_inbox;
    HttpRequest m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    qint64 m_headerBytes = 0;
    int m_failStatus = 0;
    bool m_messageReady = false;
    QPointer<HttpResponder> m_responder;
    QTimer m_timer;
    bool m_gone = false;
};
