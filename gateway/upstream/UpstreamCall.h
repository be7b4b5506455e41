#pragma once

#include "UpstreamRequest.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class UpstreamClient;
class UpstreamConnection;

// One request to an upstream and its response, delivered piece by piece as it arrives.
// The owner deletes it (or calls abort()) when it is no longer interested; that closes the
// upstream connection at once so the provider stops generating.
class UpstreamCall : public QObject
{
    Q_OBJECT
public:
    enum class Failure { None, Connect, Tls, ConnectTimeout, FirstByteTimeout, IdleTimeout, TotalTimeout, Protocol, ClosedEarly, Aborted };
    Q_ENUM(Failure)

    ~UpstreamCall() override;

    const UpstreamRequest &request() const { return m_request; }
    int status() const { return m_status; }
    const HttpHeaders &responseHeaders() const { return m_responseHeaders; }
    bool isFinished() const { return m_done; }
    bool isTimeout() const;
    Failure failure() const { return m_failure; }
    void abort();
    // Flow control: while paused the connection stops reading from its socket, so the upstream is
    // held back by TCP instead of its answer piling up here. Nothing is lost; what was read already
    // is delivered on resuming. The idle timeout doesn't run while paused (the silence is ours);
    // the total timeout does.
    void setReadPaused(bool paused);
    bool isReadPaused() const { return m_readPaused; }

Q_SIGNALS:
    void responseStarted(int status, const HttpHeaders &headers);
    void dataReceived(const QByteArray &data); // body bytes, transfer coding removed
    void finished();
    void failed(UpstreamCall::Failure failure, const QString &message);

private:
    friend class UpstreamClient;
    friend class UpstreamConnection;
    UpstreamCall(UpstreamClient *client, const UpstreamRequest &request);

    // Called by the connection that carries this call.
    void connectionEstablished();
    void requestSent();
    void deliverHead(int status, const HttpHeaders &headers);
    void deliverData(const QByteArray &data);
    void deliverEnd();
    void deliverFailure(Failure failure, const QString &message);
    void onTimer();
    void armTimer(int ms, Failure kind);

    QPointer<UpstreamClient> m_client;
    UpstreamRequest m_request;
    QPointer<UpstreamConnection> m_connection;
    QString m_poolKey; // the client's pool this call waits in or was served from
    int m_status = 0;
    HttpHeaders m_responseHeaders;
    bool m_done = false;
    bool m_gotFirstByte = false;
    bool m_readPaused = false;
    Failure m_failure = Failure::None;
    QTimer m_timer;
    Failure m_timerKind = Failure::None;
    QElapsedTimer m_total;
};
