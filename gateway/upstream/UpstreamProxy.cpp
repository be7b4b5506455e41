#include "UpstreamProxy.h"

#include <QHash>
#include <QUrl>

UpstreamProxy UpstreamProxy::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    // curl takes "proxy.corp:3128" as http://proxy.corp:3128.
    const QUrl url = QUrl(trimmed.contains(QLatin1String("://")) ? trimmed : QLatin1String("http://") + trimmed,
                          QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return UpstreamProxy();
    };
    if (!url.isValid() || url.host().isEmpty())
        return refuse(QStringLiteral("the proxy address is not a URL like http://proxy.corp:3128"));
    if (scheme != QLatin1String("http"))
        return refuse(QStringLiteral("proxy %1:%2: the %3:// scheme is not supported, only http:// proxies")
                          .arg(url.host()).arg(url.port(1080)).arg(scheme));
    UpstreamProxy p;
    p.m_host = url.host();
    p.m_port = quint16(url.port(1080));
    // QUrl has decoded the userinfo ("p%40ss" is "p@ss"), as curl does before it encodes it.
    p.m_user = url.userName(QUrl::FullyDecoded);
    if (!p.m_user.isEmpty() || !url.password().isEmpty()) {
        const QByteArray pair = p.m_user.toUtf8() + ':' + url.password(QUrl::FullyDecoded).toUtf8();
        p.m_authorization = "Basic " + pair.toBase64();
    }
    return p;
}

QString UpstreamProxy::name() const
{
    const QString host = m_host.contains(QLatin1Char(':')) ? QLatin1Char('[') + m_host + QLatin1Char(']') : m_host;
    return host + QLatin1Char(':') + QString::number(m_port);
}

QString UpstreamProxy::poolTag() const
{
    if (isNull())
        return {};
    // The credentials' hash, not the credentials: two users of one proxy get two pools.
    return QLatin1String(" via ") + name() + QLatin1Char('#') + QString::number(qHash(m_authorization), 16);
}
