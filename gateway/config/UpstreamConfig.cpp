#include "UpstreamConfig.h"

#include "ConfigJson.h"
#include "SecretStore.h"
#include "core/Glob.h"
#include "http/UrlPath.h"
#include "upstream/UpstreamPreset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace {
using ConfigJson::checkKeys;
using ConfigJson::fail;
using ConfigJson::readBool;
using ConfigJson::readInt;
using ConfigJson::readMs;
using ConfigJson::readNumber;
using ConfigJson::readString;

bool isLoopback(const QString &host)
{
    return host == QLatin1String("localhost") || host.startsWith(QLatin1String("127.")) || host == QLatin1String("::1");
}

void warnIfUnencrypted(const UpstreamConfig &u, const QString &where, QStringList *warnings)
{
    if (!u.apiKey.isEmpty() && u.baseUrl.scheme() == QLatin1String("http") && !isLoopback(u.baseUrl.host()))
        warnings->append(QStringLiteral("%1 (%2): the API key would travel unencrypted to %3; use https")
                             .arg(where, u.name, u.baseUrl.host()));
}

// "breaker": when an upstream's circuit breaker opens and for how long (UpstreamBreaker::Policy).
bool readBreaker(const QJsonObject &o, const QString &where, UpstreamBreaker::Policy *p, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("breaker"));
    if (v.isUndefined())
        return true;
    const QString w = where + QStringLiteral(".breaker");
    if (!v.isObject())
        return fail(error, w + QStringLiteral(" must be an object"));
    const QJsonObject b = v.toObject();
    if (!checkKeys(b, w, {"consecutive", "error_rate", "min_requests", "window_ms", "slow_ms", "cooldown_ms", "max_cooldown_ms", "half_open_probes"}, error)
        || !readInt(b, "consecutive", w, 1, &p->consecutive, error) || !readNumber(b, "error_rate", w, 0.01, 1.0, &p->errorRate, error)
        || !readInt(b, "min_requests", w, 1, &p->minRequests, error) || !readMs(b, "window_ms", w, 1000, &p->windowMs, error)
        || !readMs(b, "slow_ms", w, 0, &p->slowMs, error) || !readMs(b, "cooldown_ms", w, 1, &p->cooldownMs, error)
        || !readMs(b, "max_cooldown_ms", w, 1, &p->maxCooldownMs, error) || !readInt(b, "half_open_probes", w, 1, &p->halfOpenProbes, error))
        return false;
    if (p->maxCooldownMs < p->cooldownMs)
        return fail(error, w + QStringLiteral(".max_cooldown_ms must be at least cooldown_ms"));
    return true;
}

// "health_check": {"enabled", "method": "GET"|"POST", "path", "body" (an object, sent as JSON), "timeout_ms"}.
bool readHealthCheck(const QJsonValue &v, const QString &where, UpstreamHealthCheck *h, QString *error)
{
    const QString w = where + QStringLiteral(".health_check");
    if (!v.isObject())
        return fail(error, w + QStringLiteral(" must be an object"));
    const QJsonObject o = v.toObject();
    QString method = QString::fromLatin1(h->method), path = QString::fromUtf8(h->path);
    if (!checkKeys(o, w, {"enabled", "method", "path", "body", "timeout_ms"}, error) || !readBool(o, "enabled", w, &h->enabled, error)
        || !readString(o, "method", w, &method, error) || !readString(o, "path", w, &path, error)
        || !readInt(o, "timeout_ms", w, 1, &h->timeoutMs, error))
        return false;
    if (method != QLatin1String("GET") && method != QLatin1String("POST"))
        return fail(error, w + QStringLiteral(".method must be \"GET\" or \"POST\", got '%1'").arg(method));
    if (!path.startsWith(QLatin1Char('/')))
        return fail(error, w + QStringLiteral(".path must start with /, e.g. \"/v1/models\", got '%1'").arg(path));
    h->method = method.toLatin1();
    h->path = path.toUtf8();
    const QJsonValue body = o.value(QLatin1String("body"));
    if (!body.isUndefined()) {
        if (!body.isObject())
            return fail(error, w + QStringLiteral(".body must be an object (sent as JSON)"));
        h->body = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    }
    if (!h->body.isEmpty() && h->method != "POST")
        return fail(error, w + QStringLiteral(".body is sent with \"method\": \"POST\" only"));
    return true;
}
} // namespace

bool UpstreamConfig::fromJson(const QJsonValue &value, const QString &where, UpstreamConfig *u, QStringList *warnings, QString *error)
{
    if (!value.isObject())
        return fail(error, where + QStringLiteral(" must be an object"));
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, where, {"name", "preset", "enabled", "base_url", "dialect", "api_key", "api_key_env", "api_key_secret", "models", "aliases",
                              "priority", "weight", "max_concurrency", "max_queue", "queue_timeout_ms", "timeouts_ms", "breaker",
                              "breaker_per_model", "health_check"}, error))
        return false;
    const UpstreamPreset *preset = nullptr;
    if (!readString(o, "preset", where, &u->preset, error))
        return false;
    if (!u->preset.isEmpty()) {
        preset = UpstreamPreset::find(u->preset);
        if (!preset)
            return fail(error, QStringLiteral("%1.preset: unknown preset '%2' (known: %3)")
                                   .arg(where, u->preset, UpstreamPreset::ids().join(QLatin1String(", "))));
        u->preset = preset->id;
    }
    if (!readString(o, "name", where, &u->name, error))
        return false;
    if (!o.contains(QLatin1String("name")) && preset)
        u->name = preset->id;
    if (u->name.trimmed().isEmpty())
        return fail(error, where + QStringLiteral(".name is required"));
    if (!readBool(o, "enabled", where, &u->enabled, error))
        return false;

    QString base;
    if (!readString(o, "base_url", where, &base, error))
        return false;
    if (!o.contains(QLatin1String("base_url")) && preset)
        base = preset->baseUrl.toString();
    u->baseUrl = QUrl(base, QUrl::StrictMode);
    if (!u->baseUrl.isValid() || u->baseUrl.host().isEmpty()
        || (u->baseUrl.scheme() != QLatin1String("http") && u->baseUrl.scheme() != QLatin1String("https")))
        return fail(error, where + QStringLiteral(".base_url must be an http:// or https:// URL, got '%1'").arg(base));
    QString dialect = preset ? dialectName(preset->dialect) : QStringLiteral("openai");
    if (!readString(o, "dialect", where, &dialect, error))
        return false;
    if (dialect == QLatin1String("openai"))
        u->dialect = ApiDialect::OpenAi;
    else if (dialect == QLatin1String("anthropic"))
        u->dialect = ApiDialect::Anthropic;
    else
        return fail(error, where + QStringLiteral(".dialect must be \"openai\" or \"anthropic\", got '%1'").arg(dialect));

    if (!readString(o, "api_key_env", where, &u->apiKeyEnv, error) || !readString(o, "api_key", where, &u->apiKey, error)
        || !readString(o, "api_key_secret", where, &u->apiKeySecret, error))
        return false;
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!u->apiKeyEnv.isEmpty() && !envName.match(u->apiKeyEnv).hasMatch())
        return fail(error, where + QStringLiteral(".api_key_env must name an environment variable (letters, digits and _, e.g. DEEPSEEK_API_KEY), got '%1'")
                               .arg(u->apiKeyEnv));
    if (!u->apiKeySecret.isEmpty() && (!u->apiKeyEnv.isEmpty() || !u->apiKey.isEmpty()))
        return fail(error, where + QStringLiteral(".api_key_secret: name one source of the key, not api_key_secret with api_key or api_key_env"));
    const bool ownKeySource = o.contains(QLatin1String("api_key")) || o.contains(QLatin1String("api_key_env")) || o.contains(QLatin1String("api_key_secret"));
    if (!ownKeySource && preset && !preset->apiKeyEnv.isEmpty())
        u->apiKeyEnv = preset->apiKeyEnv;
    if (!u->apiKey.isEmpty()) {
        u->keySource = UpstreamConfig::KeySource::Config;
        warnings->append(QStringLiteral("%1 (%2): the API key is written in the config file; keep it in an environment variable "
                                        "(api_key_env) or the secret store (api_key_secret) instead")
                             .arg(where, u->name));
    }
    if (!u->apiKeyEnv.isEmpty()) {
        u->keySource = UpstreamConfig::KeySource::Environment;
        u->apiKey = qEnvironmentVariable(u->apiKeyEnv.toUtf8().constData());
        u->keyMissing = u->apiKey.isEmpty();
        if (u->apiKey.isEmpty())
            warnings->append(QStringLiteral("%1 (%2): environment variable %3 is not set; requests go out without a key of ours")
                                 .arg(where, u->name, u->apiKeyEnv));
    }
    if (!u->apiKeySecret.isEmpty()) {
        // Until resolveKey reads the store.
        u->keySource = UpstreamConfig::KeySource::SecretStore;
        u->keyMissing = true;
    }
    warnIfUnencrypted(*u, where, warnings);

    const QJsonValue models = o.value(QLatin1String("models"));
    if (!models.isUndefined()) {
        if (!models.isArray())
            return fail(error, where + QStringLiteral(".models must be an array of model names or globs"));
        QStringList globs;
        for (const QJsonValue &m : models.toArray()) {
            if (!m.isString() || m.toString().isEmpty())
                return fail(error, where + QStringLiteral(".models must hold non-empty strings"));
            globs.append(m.toString());
        }
        u->setModels(globs);
    } else if (preset) {
        u->setModels(preset->models);
    }
    if (!readInt(o, "priority", where, -1000000, &u->priority, error) || !readInt(o, "weight", where, 0, &u->weight, error)
        || !readInt(o, "max_concurrency", where, 0, &u->maxConcurrency, error) || !readInt(o, "max_queue", where, 0, &u->maxQueue, error)
        || !readInt(o, "queue_timeout_ms", where, 1, &u->queueTimeoutMs, error))
        return false;
    if (!readBreaker(o, where, &u->breaker, error) || !readBool(o, "breaker_per_model", where, &u->breakerPerModel, error))
        return false;
    const QJsonValue aliases = o.value(QLatin1String("aliases"));
    if (!aliases.isUndefined()) {
        if (!aliases.isObject())
            return fail(error, where + QStringLiteral(".aliases must be an object of a client's model name -> the provider's"));
        const QJsonObject a = aliases.toObject();
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (!it.value().isString() || it.value().toString().isEmpty() || it.key().isEmpty())
                return fail(error, QStringLiteral("%1.aliases.%2 must be a non-empty model name").arg(where, it.key()));
            u->aliases.insert(it.key(), it.value().toString());
        }
    }
    const QJsonValue t = o.value(QLatin1String("timeouts_ms"));
    if (!t.isUndefined()) {
        if (!t.isObject())
            return fail(error, where + QStringLiteral(".timeouts_ms must be an object"));
        const QJsonObject to = t.toObject();
        const QString tw = where + QStringLiteral(".timeouts_ms");
        if (!checkKeys(to, tw, {"connect", "first_byte", "idle", "total"}, error)
            || !readInt(to, "connect", tw, 1, &u->timeouts.connectMs, error) || !readInt(to, "first_byte", tw, 1, &u->timeouts.firstByteMs, error)
            || !readInt(to, "idle", tw, 1, &u->timeouts.idleMs, error) || !readInt(to, "total", tw, 1, &u->timeouts.totalMs, error))
            return false;
    }
    if (preset && preset->healthCheck)
        u->healthCheck = *preset->healthCheck;
    const QJsonValue health = o.value(QLatin1String("health_check"));
    if (!health.isUndefined()) {
        if (!readHealthCheck(health, where, &u->healthCheck, error))
            return false;
    }
    return true;
}

void UpstreamConfig::resolveKey(const std::shared_ptr<SecretStore> &secrets, const QString &where, QStringList *warnings)
{
    if (apiKeySecret.isEmpty())
        return;
    keySource = KeySource::SecretStore;
    apiKey.clear();
    keyMissing = true;
    if (!secrets) {
        warnings->append(QStringLiteral("%1 (%2): api_key_secret '%3' cannot be read: no secret store; requests go out without a key of ours")
                             .arg(where, name, apiKeySecret));
        return;
    }
    QString why;
    const std::optional<QString> key = secrets->read(apiKeySecret, &why);
    if (!key || key->isEmpty()) {
        warnings->append(why.isEmpty()
                             ? QStringLiteral("%1 (%2): the secret store (%3) holds no '%4'; requests go out without a key of ours")
                                   .arg(where, name, secrets->kind(), apiKeySecret)
                             : QStringLiteral("%1 (%2): api_key_secret '%3' cannot be read: %4; requests go out without a key of ours")
                                   .arg(where, name, apiKeySecret, why));
        return;
    }
    apiKey = *key;
    keyMissing = false;
    warnIfUnencrypted(*this, where, warnings);
}

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
    // A base that ends in an API version (/v1, Zhipu's /v4) takes the gateway path without its /v1.
    static const QRegularExpression versioned(QStringLiteral("/v[0-9]+$"));
    if (base.contains(versioned) && (rest == "/v1" || rest.startsWith("/v1/")))
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
