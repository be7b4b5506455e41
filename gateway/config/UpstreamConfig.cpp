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
    if (aliases.contains(model))
        return true;
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

QString UpstreamConfig::providerModel(const QString &clientModel) const
{
    return aliases.value(clientModel, clientModel);
}

QString UpstreamConfig::keyHint() const
{
    if (apiKey.isEmpty())
        return {};
    // A short key shows only its length: four characters of eight would be half of it.
    if (apiKey.size() < 16)
        return QStringLiteral("%1 characters").arg(apiKey.size());
    const qsizetype dash = apiKey.indexOf(QLatin1Char('-'));
    const QString prefix = dash > 0 && dash <= 8 ? apiKey.left(dash + 1) : QString();
    return prefix + QStringLiteral("…") + apiKey.right(4);
}

QString UpstreamConfig::keySourceText() const
{
    switch (keySource) {
    case KeySource::None: return QStringLiteral("none");
    case KeySource::Config: return QStringLiteral("config");
    case KeySource::Environment: return QStringLiteral("env:") + apiKeyEnv;
    case KeySource::SecretStore: return QStringLiteral("secret-store:") + apiKeySecret;
    }
    return QStringLiteral("none");
}
