#pragma once

#include <QByteArray>
#include <QString>

class QUrl;

// One HTTP proxy as a connection uses it: where it listens and the Basic credentials taken from
// its URL's userinfo ("http://user:pass@proxy.corp:3128"). The credentials only ever go into a
// Proxy-Authorization header; name() is what messages and logs show, and it never carries them.
class UpstreamProxy
{
public:
    UpstreamProxy() = default;
    // "http://[user:pass@]host[:port]", or "host[:port]" as curl takes it (http, port 1080 when
    // none is given, as curl does). Only plain-HTTP proxies: a TLS connection to the proxy itself
    // (https://) and SOCKS are refused with a message naming the scheme. Empty: no proxy, no error.
    static UpstreamProxy parse(const QString &url, QString *error = nullptr);

    bool isNull() const { return m_host.isEmpty(); }
    const QString &host() const { return m_host; }
    quint16 port() const { return m_port; }
    // "proxy.corp:3128": for messages; never the credentials.
    QString name() const;
    // "Basic dXNlcjpwYXNz", or empty without credentials. Never log it.
    const QByteArray &authorization() const { return m_authorization; }
    // Tells apart pool entries of different proxies or different users of one proxy, without
    // holding a password in a string that might be shown.
    QString poolTag() const;

private:
    QString m_host;
    quint16 m_port = 0;
    QString m_user;
    QByteArray m_authorization;
};
