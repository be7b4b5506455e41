#include "RequestGuard.h"

#include "HttpRequest.h"
#include "admin/AdminApi.h"

#include <QNetworkInterface>

namespace {
bool isWildcard(const QHostAddress &a)
{
    return a == QHostAddress(QHostAddress::AnyIPv4) || a == QHostAddress(QHostAddress::AnyIPv6) || a == QHostAddress(QHostAddress::Any);
}

bool isPort(const QByteArray &text)
{
    if (text.size() > 5)
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true; // empty too: RFC 3986 allows "host:"
}

// An IP literal written the one canonical way ("127.0.0.1", not "127.1" or "0x7f.1"), or null.
QHostAddress literalAddress(const QString &name, bool bracketed)
{
    QHostAddress a;
    if (!a.setAddress(name))
        return {};
    if (bracketed != (a.protocol() == QAbstractSocket::IPv6Protocol))
        return {};
    if (!bracketed && a.toString() != name)
        return {};
    return a;
}

// Multipart uploads (files, audio, image edits) are not JSON; the Origin rule still guards them.
bool takesMultipart(const QByteArray &path)
{
    return path == "/v1/files" || path.startsWith("/v1/audio/") || path == "/v1/images/edits" || path == "/v1/images/variations"
        || (path.startsWith("/v1/uploads/") && path.endsWith("/parts"));
}

QString shown(const QByteArray &value)
{
    return QString::fromUtf8(value.left(200));
}
} // namespace

RequestGuard::RequestGuard(const Policy &policy) : m_policy(policy)
{
    for (QString &o : m_policy.allowedOrigins) {
        o = o.trimmed().toLower();
        while (o.endsWith(QLatin1Char('/')))
            o.chop(1);
    }
    for (QString &h : m_policy.allowedHosts) {
        h = h.trimmed().toLower();
        if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
            h = h.mid(1, h.size() - 2);
    }
    m_policy.listenHost = m_policy.listenHost.toLower();
    const QHostAddress listen(m_policy.listenHost);
    if (isWildcard(listen)) {
        // Listening everywhere: the machine's own addresses name it too. An IP literal in Host
        // cannot come from DNS rebinding, which needs a name the attacker controls.
        for (QHostAddress a : QNetworkInterface::allAddresses()) {
            a.setScopeId(QString());
            m_localAddresses.append(a);
        }
    }
}

bool RequestGuard::nameAllowed(const QString &name) const
{
    if (name == QLatin1String("localhost") || (name.endsWith(QLatin1String(".localhost")) && name.size() > 10))
        return true; // browsers resolve these to loopback themselves (RFC 6761): no DNS to rebind
    if (!m_policy.listenHost.isEmpty() && name == m_policy.listenHost && !isWildcard(QHostAddress(name)))
        return true;
    return m_policy.allowedHosts.contains(name);
}

bool RequestGuard::hostAllowed(const QByteArray &hostHeader) const
{
    const QByteArray host = hostHeader.trimmed();
    QByteArray name;
    QByteArray port;
    bool bracketed = false;
    if (host.startsWith('[')) {
        const qsizetype end = host.indexOf(']');
        if (end < 0)
            return false;
        name = host.mid(1, end - 1);
        const QByteArray rest = host.mid(end + 1);
        if (!rest.isEmpty() && !rest.startsWith(':'))
            return false;
        port = rest.mid(1);
        bracketed = true;
    } else {
        if (host.count(':') > 1)
            return false;
        const qsizetype colon = host.indexOf(':');
        name = colon < 0 ? host : host.left(colon);
        port = colon < 0 ? QByteArray() : host.mid(colon + 1);
    }
    if (name.isEmpty() || !isPort(port))
        return false;
    const QString n = QString::fromUtf8(name).toLower();
    const QHostAddress address = literalAddress(n, bracketed);
    if (!address.isNull()) {
        if (address.isLoopback() || m_localAddresses.contains(address))
            return true;
        return nameAllowed(bracketed ? address.toString() : n);
    }
    return !bracketed && nameAllowed(n);
}

bool RequestGuard::originAllowed(const QByteArray &origin) const
{
    QString o = QString::fromUtf8(origin).trimmed().toLower();
    while (o.endsWith(QLatin1Char('/')))
        o.chop(1);
    return !o.isEmpty() && m_policy.allowedOrigins.contains(o);
}

bool RequestGuard::isJsonContentType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower() == "application/json";
}

qsizetype RequestGuard::rawControlCharacter(const QByteArray &json)
{
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json.at(i));
        if (!inString) {
            if (c == '"')
                inString = true;
            else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return i;
            continue;
        }
        if (c < 0x20)
            return i;
        if (escaped)
            escaped = false;
        else if (c == '\\')
            escaped = true;
        else if (c == '"')
            inString = false;
    }
    return -1;
}

std::optional<RequestGuard::Refusal> RequestGuard::check(const HttpRequest &request) const
{
    using E = Dialect::Error;
    QList<QByteArray> hosts;
    QList<QByteArray> origins;
    for (const auto &f : request.headers.fields()) {
        if (f.first == "host")
            hosts.append(f.second);
        else if (f.first == "origin")
            origins.append(f.second);
    }
    if (hosts.size() > 1)
        return Refusal{E::InvalidRequest, QStringLiteral("The request carries %1 Host headers; send exactly one.").arg(hosts.size())};
    if (hosts.isEmpty()) {
        // RFC 9112 section 3.2: an HTTP/1.1 request without Host is a 400. HTTP/1.0 had no Host yet;
        // old local tools still speak it, so it is let in from this machine only.
        if (request.httpMinor >= 1 || !request.peerAddress.isLoopback())
            return Refusal{E::InvalidRequest, QStringLiteral("The request has no Host header; HTTP/1.1 requires one (e.g. 'Host: 127.0.0.1:8400').")};
    } else if (!hostAllowed(hosts.first())) {
        return Refusal{E::ForbiddenOrigin,
                       QStringLiteral("Host '%1' does not name this TokenFuse, which answers to localhost, 127.0.0.1 and [::1] "
                                      "(and its listen address). A web page may be trying to reach it through DNS rebinding; "
                                      "if you use that name yourself, add it to \"allowed_hosts\" in config.json.")
                           .arg(shown(hosts.first()))};
    }

    const bool admin = AdminApi::isAdminPath(request.path);
    if (request.method == "OPTIONS")
        return Refusal{E::ForbiddenOrigin, QStringLiteral("TokenFuse answers no CORS preflight: web pages may not call it from a browser. "
                                                          "Call it from a program, or through your dev server's proxy.")};
    for (const QByteArray &origin : std::as_const(origins)) {
        if (admin)
            return Refusal{E::ForbiddenOrigin, QStringLiteral("The admin API never answers a request with an Origin header (here '%1'): "
                                                              "web pages may not manage TokenFuse. Call it from curl or a program.")
                                                   .arg(shown(origin))};
        if (!originAllowed(origin))
            return Refusal{E::ForbiddenOrigin,
                           QStringLiteral("Requests from the web origin '%1' are refused: a web page may not spend through TokenFuse. "
                                          "If it is a tool of yours, add the exact origin to \"allowed_origins\" in config.json.")
                               .arg(shown(origin))};
    }

    const QByteArray contentType = request.headers.value("content-type");
    const bool multipart = takesMultipart(request.path) && contentType.trimmed().toLower().startsWith("multipart/form-data");
    if (request.method == "POST" && request.path.startsWith("/v1/") && !request.body.isEmpty() && !multipart
        && !isJsonContentType(contentType))
        return Refusal{E::UnsupportedMediaType,
                       QStringLiteral("%1 takes a JSON body with 'Content-Type: application/json'; this one came as '%2'.")
                           .arg(QString::fromUtf8(request.path), contentType.isEmpty() ? QStringLiteral("(none)") : shown(contentType))};
    if (!multipart && !request.body.isEmpty()) {
        const qsizetype at = rawControlCharacter(request.body);
        if (at >= 0)
            return Refusal{E::InvalidRequest,
                           QStringLiteral("The JSON body holds a raw control character U+%1 at byte %2. JSON requires control "
                                          "characters in strings to be escaped (\\u0000, \\n, \\t); fix how the body is encoded.")
                               .arg(QString::number(static_cast<unsigned char>(request.body.at(at)), 16).toUpper().rightJustified(4, QLatin1Char('0')))
                               .arg(at)};
    }
    return std::nullopt;
}
