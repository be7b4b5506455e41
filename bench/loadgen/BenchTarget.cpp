#include "BenchTarget.h"

#include <QUrl>

std::optional<BenchTarget> BenchTarget::fromUrl(const QString &name, const QString &url, const QList<QByteArray> &headers,
                                                const QByteArray &body, QString *error)
{
    const QUrl u(url);
    if (!u.isValid() || u.scheme() != QLatin1String("http") || u.host().isEmpty() || u.port() <= 0) {
        *error = QStringLiteral("bad url '%1' (want http://HOST:PORT/PATH)").arg(url);
        return std::nullopt;
    }
    BenchTarget t;
    t.name = name;
    t.host = u.host();
    t.port = quint16(u.port());
    const QByteArray path = u.path(QUrl::FullyEncoded).toUtf8();
    t.request = "POST " + (path.isEmpty() ? QByteArray("/") : path) + " HTTP/1.1\r\nHost: " + u.host().toUtf8() + ':'
        + QByteArray::number(u.port()) + "\r\ncontent-type: application/json\r\ncontent-length: "
        + QByteArray::number(body.size()) + "\r\n";
    for (const QByteArray &h : headers)
        t.request += h.trimmed() + "\r\n";
    t.request += "\r\n" + body;
    return t;
}
