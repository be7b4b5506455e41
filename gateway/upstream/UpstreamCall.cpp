#include "UpstreamCall.h"

#include "UpstreamClient.h"
#include "UpstreamConnection.h"

#include <climits>

UpstreamCall::UpstreamCall(UpstreamClient *client, const UpstreamRequest &request)
    : m_client(client), m_request(request)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamCall::onTimer);
    m_total.start();
    armTimer(m_request.timeouts.connectMs, Failure::ConnectTimeout);
}

UpstreamCall::~UpstreamCall()
{
    if (!m_done)
        abort();
}

bool UpstreamCall::isTimeout() const
{
    return m_failure == Failure::ConnectTimeout || m_failure == Failure::FirstByteTimeout
        || m_failure == Failure::IdleTimeout || m_failure == Failure::TotalTimeout;
}

void UpstreamCall::abort()
{
    if (m_done)
        return;
    m_done = true;
    m_failure = Failure::Aborted;
    m_timer.stop();
    if (m_connection)
        m_connection->abortCall();
    else if (m_client)
        m_client->forget(this);
}

void UpstreamCall::setReadPaused(bool paused)
{
    if (m_done || paused == m_readPaused)
        return;
    m_readPaused = paused;
    if (paused)
        armTimer(m_request.timeouts.totalMs, Failure::TotalTimeout);
    else if (m_gotFirstByte)
        armTimer(m_request.timeouts.idleMs, Failure::IdleTimeout);
    else
        armTimer(m_request.timeouts.firstByteMs, Failure::FirstByteTimeout);
    if (m_connection)
        m_connection->setReadPaused(paused);
}

void UpstreamCall::armTimer(int ms, Failure kind)
{
    const qint64 remaining = m_request.timeouts.totalMs - m_total.elapsed();
    // While we don't read, the upstream's silence says nothing: only the total bound applies.
    if (m_readPaused)
        ms = int(qMin<qint64>(INT_MAX, remaining + 1));
    if (remaining <= ms) {
        ms = int(qMax<qint64>(0, remaining));
        kind = Failure::TotalTimeout;
    }
    m_timerKind = kind;
    m_timer.start(ms);
}

void UpstreamCall::connectionEstablished()
{
}

void UpstreamCall::requestSent()
{
    if (!m_gotFirstByte)
        armTimer(m_request.timeouts.firstByteMs, Failure::FirstByteTimeout);
}

void UpstreamCall::deliverHead(int status, const HttpHeaders &headers)
{
    if (m_done)
        return;
    m_gotFirstByte = true;
    m_status = status;
    m_responseHeaders = headers;
    armTimer(m_request.timeouts.idleMs, Failure::IdleTimeout);
    Q_EMIT responseStarted(status, headers);
}

void UpstreamCall::deliverData(const QByteArray &data)
{
    if (m_done)
        return;
    armTimer(m_request.timeouts.idleMs, Failure::IdleTimeout);
    QPointer<UpstreamCall> self(this);
    Q_EMIT dataReceived(data);
    // The silence is the upstream's from when we are ready for more: a large piece that took the
    // receiver a while to relay doesn't count against it.
    if (self && !m_done)
        armTimer(m_request.timeouts.idleMs, Failure::IdleTimeout);
}

void UpstreamCall::deliverEnd()
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    m_connection = nullptr;
    Q_EMIT finished();
}

void UpstreamCall::deliverFailure(Failure failure, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_failure = failure;
    m_timer.stop();
    m_connection = nullptr;
    Q_EMIT failed(failure, message);
}

void UpstreamCall::onTimer()
{
    const Failure kind = m_timerKind;
    QString what;
    switch (kind) {
    case Failure::ConnectTimeout: what = QStringLiteral("connecting took longer than %1 ms").arg(m_request.timeouts.connectMs); break;
    case Failure::FirstByteTimeout: what = QStringLiteral("no response within %1 ms").arg(m_request.timeouts.firstByteMs); break;
    case Failure::IdleTimeout: what = QStringLiteral("the response stalled for more than %1 ms").arg(m_request.timeouts.idleMs); break;
    default: what = QStringLiteral("the exchange took longer than %1 ms").arg(m_request.timeouts.totalMs); break;
    }
    // Drop the connection first so nothing more is delivered, then report.
    if (m_connection) {
        QPointer<UpstreamConnection> c = m_connection;
        m_connection = nullptr;
        c->abortCall();
    } else if (m_client) {
        m_client->forget(this);
    }
    deliverFailure(kind, QStringLiteral("Upstream %1: %2").arg(m_request.url.host(), what));
}
