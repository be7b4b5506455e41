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
    QStringList noProxy;   // host names, ".suffix" / "*.suffix" domains, IP addresses; "*": no proxy at all;
                           // "<-loopback>": loopback goes through the proxy too (see bypassesProxy)
    QString caBundle;      // a PEM file of extra trusted CAs ("tls": {"ca_bundle": ...}); empty: system only

    // The proxy environment of this process (HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy,
    // NO_PROXY, no_proxy).
    static UpstreamNetwork fromEnvironment();
    // Whether a request to `host` skips the proxy: NO_PROXY covers it, or it is loopback
    // ("localhost", "*.localhost", 127.0.0.0/8, ::1) and the list has no "<-loopback>" entry.
    //
    // Here TokenFuse departs from curl, which proxies localhost unless NO_PROXY names it (measured
    // with curl 7.88). The built-in simulator and most local model servers (Ollama, vLLM, LM
    // Studio) are reached on loopback, and a proxy on another machine can never reach this one's
    // loopback: following curl, an HTTPS_PROXY / HTTP_PROXY exported for the corporate network
    // would break them. Go's net/http, Chrome and Windows bypass loopback the same way; the
    // "<-loopback>" entry that turns it off is Chrome's and Windows' spelling, and curl, reading the
    // same NO_PROXY, takes it as a host name that matches nothing. It is for a proxy on this
    // machine that should see local traffic too (a debugging proxy; the tests' tinyproxy).
    bool bypassesProxy(const QString &host) const;
};
