#include "UpstreamClient.h"

#include "UpstreamCall.h"
#include "UpstreamConnection.h"

UpstreamClient::UpstreamClient(QObject *parent) : QObject(parent)
{
}

UpstreamClient::~UpstreamClient() = default;

QString UpstreamClient::originOf(const QUrl &url)
{
    const bool tls = url.scheme() == QLatin1String("https");
    return url.scheme() + QLatin1String("://") + url.host() + QLatin1Char(':') + QString::number(url.port(tls ? 443 : 80));
}

UpstreamCall *UpstreamClient::start(const UpstreamRequest &request)
{
    auto *call = new UpstreamCall(this, request);
    assign(call);
    return call;
}

void UpstreamClient::assign(UpstreamCall *call)
{
    const QString key = originOf(call->request().url);
    Origin &origin = m_origins[key];
    if (UpstreamConnection *connection = takeIdle(origin)) {
        connection->start(call);
        return;
    }
    if (origin.open < m_maxPerOrigin) {
        ++origin.open;
        auto *connection = new UpstreamConnection(key, call->request().url, this);
        connection->start(call);
        return;
    }
    origin.waiting.append(call);
}

void UpstreamClient::release(UpstreamConnection *connection, bool reusable)
{
    auto it = m_origins.find(connection->origin());
    if (it == m_origins.end())
        return;
    Origin &origin = it.value();
    origin.idle.removeAll(connection);
    if (reusable) {
        while (!origin.waiting.isEmpty()) {
            QPointer<UpstreamCall> next = origin.waiting.takeFirst();
            if (next && !next->isFinished()) {
                connection->start(next);
                return;
            }
        }
        // A burst leaves hundreds of connections behind; keeping them all idle would make every
        // turn of the event loop visit them. Keep enough for the next burst's start.
        if (origin.idle.size() < m_maxIdlePerOrigin) {
            origin.idle.append(connection);
            connection->park(m_idleMs);
            return;
        }
        connection->closeIdle();
    }
    --origin.open;
    connection->deleteLater();
    serveWaiting(connection->origin());
}

void UpstreamClient::serveWaiting(const QString &key)
{
    Origin &origin = m_origins[key];
    while (!origin.waiting.isEmpty() && origin.open < m_maxPerOrigin) {
        QPointer<UpstreamCall> next = origin.waiting.takeFirst();
        if (!next || next->isFinished())
            continue;
        ++origin.open;
        auto *connection = new UpstreamConnection(key, next->request().url, this);
        connection->start(next);
    }
}

UpstreamConnection *UpstreamClient::takeIdle(Origin &origin)
{
    while (!origin.idle.isEmpty()) {
        UpstreamConnection *connection = origin.idle.takeLast();
        if (!connection->isStale())
            return connection;
        connection->closeIdle();
        --origin.open;
        connection->deleteLater();
    }
    return nullptr;
}

void UpstreamClient::forget(UpstreamCall *call)
{
    auto it = m_origins.find(originOf(call->request().url));
    if (it != m_origins.end())
        it->waiting.removeIf([call](const QPointer<UpstreamCall> &c) { return !c || c == call; });
}

int UpstreamClient::openConnections() const
{
    int n = 0;
    for (const Origin &o : m_origins)
        n += o.open;
    return n;
}

int UpstreamClient::idleConnections() const
{
    int n = 0;
    for (const Origin &o : m_origins)
        n += int(o.idle.size());
    return n;
}

int UpstreamClient::queuedCalls() const
{
    int n = 0;
    for (const Origin &o : m_origins)
        n += int(o.waiting.size());
    return n;
}
