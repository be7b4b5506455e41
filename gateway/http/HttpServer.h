#pragma once

#include "HttpLimits.h"
#include "HttpRequest.h"

#include <QTcpServer>

#include <functional>

class HttpResponder;

// A plain HTTP/1.1 server on QTcpServer: keep-alive, pipelining held in order, limits and timeouts
// on every connection. What to do with a request is the handler's business.
class HttpServer : public QTcpServer
{
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &, HttpResponder *)>;
    // Shapes the body of an error the server itself answers (400, 408, 413, 431) for the path that
    // was asked, so each API's clients get errors in their own dialect. Returns a JSON body.
    using ErrorFormatter = std::function<QByteArray(const QByteArray &path, int status, const QString &message)>;

    explicit HttpServer(QObject *parent = nullptr);

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setErrorFormatter(ErrorFormatter formatter) { m_errorFormatter = std::move(formatter); }
    void setLimits(const HttpLimits &limits) { m_limits = limits; }
    const HttpLimits &limits() const { return m_limits; }
    int connectionCount() const { return m_connectionCount; }

    // Internal, for HttpConnection.
    void dispatch(const HttpRequest &request, HttpResponder *responder);
    QByteArray errorBody(const QByteArray &path, int status, const QString &message) const;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void connectionClosed();

    Handler m_handler;
    ErrorFormatter m_errorFormatter;
    HttpLimits m_limits;
    int m_connectionCount = 0;
    quint64 m_nextConnectionId = 1;
};
