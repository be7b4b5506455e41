#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// Resolves the dot segments of a request path (RFC 3986 section 5.2.4), percent-encoded ones
// included, so that what TokenFuse routes is what it forwards. The one place paths are normalised:
// the gateway normalises what it routes, UpstreamConfig::urlFor what it appends to a base URL.
class UrlPath
{
public:
    // The path with "." and ".." (also "%2e", "%2E%2e", ...) resolved, other bytes untouched.
    // Nothing when it cannot be made safe, with why: a ".." above the root, or an encoded slash
    // or backslash that hides a dot segment or sits before the last segment (where an upstream that
    // decodes it would route differently from TokenFuse).
    static std::optional<QByteArray> normalise(const QByteArray &path, QString *why);
    // The first segment of a path: "v1" for "/v1/chat/completions".
    static QByteArray firstSegment(const QByteArray &path);
};
