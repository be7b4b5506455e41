#pragma once

#include "HttpLimits.h"
#include "HttpRequest.h"

#include <QTcpServer>

#include <QHash>

#include <functional>
#include <map>

class HttpConnection;
class HttpResponder;

// A plain HTTP/1.1 server on QTcpServer: keep-alive, pipelining held in order, limits and timeouts
// on every connection, a cap on connections and a budget for request bodies held across them.
// What to do with a request is the handler's business.
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
    // Request-body bytes reserved against HttpLimits::maxHeldBodyBytes right now.
    qint64 heldBodyBytes() const { return m_heldBodyBytes; }

    // Internal, for HttpConnection.
    void dispatch(const HttpRequest &request, HttpResponder *responder);
    QByteArray errorBody(const QByteArray &path, int status, const QString &message) const;
    void connectionIdleChanged(HttpConnection *connection, bool idle);
    bool reserveBodyBytes(qint64 bytes);
    void releaseBodyBytes(qint64 bytes);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void connectionClosed();
    bool evictOldestIdle();

    Handler m_handler;
    ErrorFormatter m_errorFormatter;
    HttpLimits m_limits;
    int m_connectionCount = 0;
    qint64 m_heldBodyBytes = 0;
    quint64 m_nextConnectionId = 1;
    // Idle connections, oldest idle first (keyed by when they went idle): the ones closed to make room.
    std::map<quint64, HttpConnection *> m_idle;
    QHash<HttpConnection *, quint64> m_idleSince;
    quint64 m_idleClock = 0;
    bool m_acceptingPaused = false;
};
