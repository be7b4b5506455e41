#pragma once

#include <QString>
#include <QStringList>

// How the gateway reaches upstreams on the network: an HTTP proxy as other developer tools take
// it (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, lower-case spellings too, or the config's "proxy"
// object, which wins), and the certificate authorities TLS trusts beyond the system's. TLS
// verification itself is never turned off.
struct UpstreamNetwork
{
    QString httpsProxy;    // "http://proxy.corp:3128" for https:// upstreams (CONNECT tunnel); empty: none
    QString httpProxy;     // for http:// upstreams (absolute-form requests); empty: none
    QStringList noProxy;   // host names, ".suffix" / "*.suffix" domains, IP addresses; "*": no proxy at all
    QString caBundle;      // a PEM file of extra trusted CAs ("tls": {"ca_bundle": ...}); empty: system only

    // The proxy environment of this process (HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy,
    // NO_PROXY, no_proxy).
    static UpstreamNetwork fromEnvironment();
    // Whether a request to `host` skips the proxy (NO_PROXY; loopback always does).
    bool bypassesProxy(const QString &host) const;
};
