#pragma once

#include "dialect/Dialect.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

struct HttpRequest;

// Decides whether a request may reach TokenFuse at all: its Host names this machine (so a web page
// cannot read answers through DNS rebinding), its Origin, when it has one, is one the user allowed
// (so a web page cannot spend), and a JSON endpoint gets JSON without raw control characters (so a
// form post or a text/plain "simple" request is never read as an API call). Says no with the
// error to answer; answering is the caller's business.
class RequestGuard
{
public:
    struct Policy
    {
        QString listenHost;          // as configured: "127.0.0.1", "localhost", "0.0.0.0", "192.168.1.5"
        QStringList allowedHosts;    // extra Host names (no port), e.g. "devbox.lan"
        QStringList allowedOrigins;  // exact origins, e.g. "http://localhost:3000"
    };
    struct Refusal
    {
        Dialect::Error error;
        QString message;
    };

    RequestGuard() = default;
    explicit RequestGuard(const Policy &policy);

    std::optional<Refusal> check(const HttpRequest &request) const;

    // The parts, for tests and for the admin API's stricter rule.
    bool hostAllowed(const QByteArray &hostHeader) const;
    bool originAllowed(const QByteArray &origin) const;
    // application/json, with or without parameters (charset=utf-8).
    static bool isJsonContentType(const QByteArray &contentType);
    // The byte offset of the first raw control character (U+0000-U+001F) inside a JSON string, or
    // outside one other than whitespace; -1 when there is none.
    static qsizetype rawControlCharacter(const QByteArray &json);

private:
    bool nameAllowed(const QString &name) const;

    Policy m_policy;
    QList<QHostAddress> m_localAddresses; // when listening on every interface: what they answer to
};
