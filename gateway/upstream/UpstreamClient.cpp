#include "UpstreamClient.h"

#include "UpstreamCall.h"
#include "UpstreamConnection.h"

#include <QFile>
#include <QSslCertificate>

UpstreamClient::UpstreamClient(QObject *parent) : QObject(parent)
{
}

UpstreamClient::~UpstreamClient() = default;

QString UpstreamClient::originOf(const QUrl &url)
{
    const bool tls = url.scheme() == QLatin1String("https");
    return url.scheme() + QLatin1String("://") + url.host() + QLatin1Char(':') + QString::number(url.port(tls ? 443 : 80));
}

bool UpstreamClient::setNetwork(const UpstreamNetwork &network, QString *error)
{
    QString why;
    const UpstreamProxy https = UpstreamProxy::parse(network.httpsProxy, &why);
    if (https.isNull() && !why.isEmpty()) {
        if (error)
            *error = QStringLiteral("HTTPS proxy: ") + why;
        return false;
    }
    const UpstreamProxy http = UpstreamProxy::parse(network.httpProxy, &why);
    if (http.isNull() && !why.isEmpty()) {
        if (error)
            *error = QStringLiteral("HTTP proxy: ") + why;
        return false;
    }
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!loadCaBundle(network.caBundle, &ssl, error))
        return false;
    m_network = network;
    m_httpsProxy = https;
    m_httpProxy = http;
    m_ssl = ssl;
    return true;
}

bool UpstreamClient::setCaBundle(const QString &path, QString *error)
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!loadCaBundle(path, &ssl, error))
        return false;
    m_network.caBundle = path;
    m_ssl = ssl;
    return true;
}

bool UpstreamClient::loadCaBundle(const QString &path, QSslConfiguration *config, QString *error)
{
    if (path.isEmpty())
        return true;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("CA bundle %1 can't be read: %2").arg(path, file.errorString());
        return false;
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty()) {
        if (error)
            *error = QStringLiteral("CA bundle %1 holds no PEM certificate").arg(path);
        return false;
    }
    // Added to the system's, never instead of them; peer verification stays VerifyPeer.
    config->addCaCertificates(certificates);
    return true;
}

UpstreamProxy UpstreamClient::proxyFor(const QUrl &url) const
{
    const UpstreamProxy &proxy = url.scheme() == QLatin1String("https") ? m_httpsProxy : m_httpProxy;
    if (proxy.isNull() || m_network.bypassesProxy(url.host()))
        return {};
    return proxy;
}

UpstreamCall *UpstreamClient::start(const UpstreamRequest &request)
{
    auto *call = new UpstreamCall(this, request);
    assign(call);
    return call;
}

void UpstreamClient::assign(UpstreamCall *call)
{
    const UpstreamProxy proxy = proxyFor(call->request().url);
    // Connections through different proxies (or none) never serve each other's calls.
    const QString key = originOf(call->request().url) + proxy.poolTag();
    call->m_poolKey = key;
    Origin &origin = m_origins[key];
    origin.proxy = proxy;
    if (UpstreamConnection *connection = takeIdle(origin)) {
        connection->start(call);
        return;
    }
    if (origin.open < m_maxPerOrigin) {
        ++origin.open;
        auto *connection = new UpstreamConnection(key, call->request().url, proxy, this);
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
        auto *connection = new UpstreamConnection(key, next->request().url, origin.proxy, this);
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
    auto it = m_origins.find(call->m_poolKey);
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
