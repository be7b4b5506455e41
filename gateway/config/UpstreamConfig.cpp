#include "UpstreamConfig.h"

#include "http/UrlPath.h"

#include <QRegularExpression>

void UpstreamConfig::setModels(const QStringList &globs)
{
    models = globs;
    modelPatterns.clear();
    for (const QString &glob : globs)
        modelPatterns.append(QRegularExpression(QRegularExpression::wildcardToRegularExpression(glob),
                                                QRegularExpression::CaseInsensitiveOption));
}

bool UpstreamConfig::servesModel(const QString &model) const
{
    if (modelPatterns.isEmpty())
        return true;
    for (const QRegularExpression &re : modelPatterns) {
        if (re.match(model).hasMatch())
            return true;
    }
    return false;
}

QUrl UpstreamConfig::urlFor(const QByteArray &gatewayPath, const QByteArray &query) const
{
    QByteArray rest = gatewayPath;
    QString base = baseUrl.toString(QUrl::FullyEncoded);
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    if (base.endsWith(QLatin1String("/v1")) && rest.startsWith("/v1"))
        rest = rest.mid(3);
    // What is appended must stay below the base path, whatever dot segments it holds: the
    // provider's key goes with it. An invalid URL fails the call before anything is sent.
    QString why;
    const std::optional<QByteArray> resolved = UrlPath::normalise(rest.isEmpty() ? QByteArray("/") : rest, &why);
    if (!resolved)
        return QUrl();
    rest = rest.isEmpty() ? QByteArray() : *resolved;
    QUrl url(base + QString::fromUtf8(rest), QUrl::StrictMode);
    if (!query.isEmpty())
        url.setQuery(QString::fromUtf8(query), QUrl::StrictMode);
    return url;
}
