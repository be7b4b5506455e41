#include "UpstreamConfig.h"

#include "core/Glob.h"
#include "http/UrlPath.h"

#include <QRegularExpression>

#include <algorithm>

void UpstreamConfig::setModels(const QStringList &globs)
{
    models = globs;
}

bool UpstreamConfig::servesModel(const QString &model) const
{
    if (models.isEmpty())
        return true;
    return std::any_of(models.cbegin(), models.cend(), [&](const QString &glob) { return Glob::matches(glob, model); });
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
