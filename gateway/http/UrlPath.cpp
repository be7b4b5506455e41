#include "UrlPath.h"

#include <QList>

namespace {
// The segment with every %2e / %2E read as '.', enough to tell a dot segment.
QByteArray dotsDecoded(const QByteArray &segment)
{
    QByteArray out = segment;
    out.replace("%2e", ".");
    out.replace("%2E", ".");
    return out;
}

bool hasEncodedSlash(const QByteArray &segment)
{
    const QByteArray lower = segment.toLower();
    return lower.contains("%2f") || lower.contains("%5c") || segment.contains('\\');
}

bool hidesDotSegment(const QByteArray &segment)
{
    QByteArray decoded = QByteArray::fromPercentEncoding(segment);
    decoded.replace('\\', '/');
    const QList<QByteArray> pieces = decoded.split('/');
    for (const QByteArray &p : pieces) {
        if (p == "." || p == "..")
            return true;
    }
    return false;
}
} // namespace

std::optional<QByteArray> UrlPath::normalise(const QByteArray &path, QString *why)
{
    if (!path.startsWith('/'))
        return path; // "*" or an absolute form: nothing to resolve, and nothing routes it
    const QList<QByteArray> segments = path.mid(1).split('/');
    QList<QByteArray> kept;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QByteArray &s = segments.at(i);
        const bool last = i == segments.size() - 1;
        const QByteArray dots = dotsDecoded(s);
        if (dots == "." || dots == "..") {
            if (dots == "..") {
                if (kept.isEmpty()) {
                    *why = QStringLiteral("The path %1 climbs above the root with '..'.").arg(QString::fromUtf8(path));
                    return std::nullopt;
                }
                kept.removeLast();
            }
            if (last)
                kept.append(QByteArray()); // "/a/b/.." is "/a/", as RFC 3986 says
            continue;
        }
        if (hasEncodedSlash(s) && (!last || hidesDotSegment(s))) {
            // Built by concatenation: "%2F" would read as an arg() placeholder.
            *why = QStringLiteral("The path ") + QString::fromUtf8(path)
                + QStringLiteral(" holds an encoded slash or backslash (%2F, %5C or \\) in the segment '") + QString::fromUtf8(s)
                + QStringLiteral("'; send path separators as a plain '/'.");
            return std::nullopt;
        }
        kept.append(s);
    }
    return '/' + kept.join('/');
}

QByteArray UrlPath::firstSegment(const QByteArray &path)
{
    const QByteArray rest = path.startsWith('/') ? path.mid(1) : path;
    const qsizetype slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.left(slash);
}
