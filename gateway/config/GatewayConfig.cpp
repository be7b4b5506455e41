#include "GatewayConfig.h"

#include "ConfigJson.h"
#include "core/Glob.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

namespace {
using ConfigJson::checkKeys;
using ConfigJson::fail;
using ConfigJson::readInt;
using ConfigJson::readMs;
using ConfigJson::readNumber;
using ConfigJson::readString;
using ConfigJson::readStringList;

bool isLoopback(const QString &host)
{
    return host == QLatin1String("localhost") || host.startsWith(QLatin1String("127.")) || host == QLatin1String("::1");
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

// "retries": how often and how patiently a failed attempt is made again (RetryPolicy::Settings).
bool readRetries(const QJsonObject &o, RetryPolicy::Settings *s, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("retries"));
    if (v.isUndefined())
        return true;
    const QString w = QStringLiteral("retries");
    if (!v.isObject())
        return fail(error, QStringLiteral("config.retries must be an object"));
    const QJsonObject r = v.toObject();
    if (!checkKeys(r, w, {"max_attempts", "base_delay_ms", "max_delay_ms", "deadline_ms"}, error) || !readInt(r, "max_attempts", w, 1, &s->maxAttempts, error)
        || !readMs(r, "base_delay_ms", w, 0, &s->baseDelayMs, error) || !readMs(r, "max_delay_ms", w, 0, &s->maxDelayMs, error)
        || !readMs(r, "deadline_ms", w, 1, &s->deadlineMs, error))
        return false;
    if (s->maxAttempts > 10)
        return fail(error, QStringLiteral("retries.max_attempts must be at most 10"));
    return true;
}

bool readUpstream(const QJsonValue &value, int index, UpstreamConfig *u, QStringList *warnings, QString *error)
{
    const QString where = QStringLiteral("upstreams[%1]").arg(index);
    if (!value.isObject())
        return fail(error, where + QStringLiteral(" must be an object"));
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, where, {"name", "base_url", "dialect", "api_key_env", "api_key", "models", "priority", "weight", "max_concurrency", "timeouts_ms", "breaker", "aliases"}, error))
        return false;
    if (!readString(o, "name", where, &u->name, error))
        return false;
    if (u->name.trimmed().isEmpty())
        return fail(error, where + QStringLiteral(".name is required"));
    QString base;
    if (!readString(o, "base_url", where, &base, error))
        return false;
    u->baseUrl = QUrl(base, QUrl::StrictMode);
    if (!u->baseUrl.isValid() || u->baseUrl.host().isEmpty()
        || (u->baseUrl.scheme() != QLatin1String("http") && u->baseUrl.scheme() != QLatin1String("https")))
        return fail(error, where + QStringLiteral(".base_url must be an http:// or https:// URL, got '%1'").arg(base));
    QString dialect = QStringLiteral("openai");
    if (!readString(o, "dialect", where, &dialect, error))
        return false;
    if (dialect == QLatin1String("openai"))
        u->dialect = ApiDialect::OpenAi;
    else if (dialect == QLatin1String("anthropic"))
        u->dialect = ApiDialect::Anthropic;
    else
        return fail(error, where + QStringLiteral(".dialect must be \"openai\" or \"anthropic\", got '%1'").arg(dialect));
    if (!readString(o, "api_key_env", where, &u->apiKeyEnv, error) || !readString(o, "api_key", where, &u->apiKey, error))
        return false;
    if (!u->apiKey.isEmpty())
        u->keySource = UpstreamConfig::KeySource::Config;
    if (!u->apiKeyEnv.isEmpty()) {
        u->keySource = UpstreamConfig::KeySource::Environment;
        u->apiKey = qEnvironmentVariable(u->apiKeyEnv.toUtf8().constData());
        u->keyMissing = u->apiKey.isEmpty();
        if (u->apiKey.isEmpty())
            warnings->append(QStringLiteral("%1 (%2): environment variable %3 is not set; requests go out without a key of ours")
                                 .arg(where, u->name, u->apiKeyEnv));
    }
    if (!u->apiKey.isEmpty() && u->baseUrl.scheme() == QLatin1String("http") && !isLoopback(u->baseUrl.host()))
        warnings->append(QStringLiteral("%1 (%2): the API key would travel unencrypted to %3; use https")
                             .arg(where, u->name, u->baseUrl.host()));
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
    }
    if (!readInt(o, "priority", where, -1000000, &u->priority, error) || !readInt(o, "weight", where, 0, &u->weight, error)
        || !readInt(o, "max_concurrency", where, 0, &u->maxConcurrency, error))
        return false;
    if (!readBreaker(o, where, &u->breaker, error))
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
    return true;
}

// Exact origins as browsers send them: scheme://host[:port], no path.
bool readOrigins(const QJsonObject &o, QStringList *out, QString *error)
{
    if (!readStringList(o, "allowed_origins", out, error))
        return false;
    for (const QString &origin : std::as_const(*out)) {
        const QUrl url(origin, QUrl::StrictMode);
        const bool web = url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
        if (!url.isValid() || !web || url.host().isEmpty() || !(url.path().isEmpty() || url.path() == QLatin1String("/"))
            || url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
            return fail(error, QStringLiteral("config.allowed_origins: '%1' is not an origin; write scheme://host[:port], "
                                              "e.g. \"http://localhost:3000\"").arg(origin));
    }
    return true;
}

bool readHosts(const QJsonObject &o, QStringList *out, QString *error)
{
    if (!readStringList(o, "allowed_hosts", out, error))
        return false;
    for (const QString &host : std::as_const(*out)) {
        if (host.contains(QLatin1Char('/')) || host.contains(QLatin1Char(' ')) || host == QLatin1String("*")
            || (host.contains(QLatin1Char(':')) && !host.contains(QLatin1String("::")) && host.count(QLatin1Char(':')) == 1))
            return fail(error, QStringLiteral("config.allowed_hosts: '%1' must be a host name or address without scheme or port, "
                                              "e.g. \"devbox.lan\"").arg(host));
    }
    return true;
}
} // namespace

bool GatewayConfig::parseListen(const QString &text, QString *host, quint16 *port, QString *error)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return fail(error, QStringLiteral("listen address '%1' must be HOST:PORT, e.g. 127.0.0.1:8400").arg(text));
    QString h = text.left(colon);
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535)
        return fail(error, QStringLiteral("listen address '%1': port must be a number from 0 to 65535").arg(text));
    *host = h;
    *port = quint16(p);
    return true;
}

std::optional<GatewayConfig> GatewayConfig::fromJson(const QJsonObject &json, QString *error)
{
    GatewayConfig c;
    c.raw = json;
    if (!checkKeys(json, QStringLiteral("config"),
                   {"listen", "data_dir", "upstreams", "budgets", "rate_limits", "loop_detection", "pricing", "limits", "default_max_tokens",
                    "allowed_origins", "allowed_hosts", "retries", "model_fallbacks"}, error))
        return std::nullopt;
    QString listen;
    if (!readString(json, "listen", QStringLiteral("config"), &listen, error))
        return std::nullopt;
    if (!listen.isEmpty() && !parseListen(listen, &c.listenHost, &c.listenPort, error)) {
        *error = QStringLiteral("config.listen: ") + *error;
        return std::nullopt;
    }
    if (!readString(json, "data_dir", QStringLiteral("config"), &c.dataDir, error))
        return std::nullopt;
    const QJsonValue ups = json.value(QLatin1String("upstreams"));
    if (!ups.isUndefined()) {
        if (!ups.isArray()) {
            *error = QStringLiteral("config.upstreams must be an array");
            return std::nullopt;
        }
        int i = 0;
        QStringList names;
        for (const QJsonValue &v : ups.toArray()) {
            UpstreamConfig u;
            if (!readUpstream(v, i, &u, &c.warnings, error))
                return std::nullopt;
            if (names.contains(u.name)) {
                *error = QStringLiteral("upstreams[%1].name '%2' is used twice").arg(i).arg(u.name);
                return std::nullopt;
            }
            names.append(u.name);
            c.upstreams.append(u);
            ++i;
        }
        std::stable_sort(c.upstreams.begin(), c.upstreams.end(),
                         [](const UpstreamConfig &a, const UpstreamConfig &b) { return a.priority < b.priority; });
    }
    if (json.contains(QLatin1String("budgets"))) {
        std::optional<QList<BudgetRule>> budgets = BudgetRule::listFromJson(json.value(QLatin1String("budgets")), error);
        if (!budgets)
            return std::nullopt;
        c.hasBudgets = true;
        c.budgets = *budgets;
    }
    if (json.contains(QLatin1String("rate_limits"))) {
        std::optional<QList<RateLimitRule>> limits = RateLimitRule::listFromJson(json.value(QLatin1String("rate_limits")), error);
        if (!limits)
            return std::nullopt;
        c.hasRateLimits = true;
        c.rateLimits = *limits;
    }
    if (json.contains(QLatin1String("loop_detection"))) {
        std::optional<LoopDetectionConfig> loops = LoopDetectionConfig::fromJson(json.value(QLatin1String("loop_detection")), error);
        if (!loops)
            return std::nullopt;
        c.loopDetection = *loops;
    }
    if (!readRetries(json, &c.retry, error))
        return std::nullopt;
    const QJsonValue fallbacks = json.value(QLatin1String("model_fallbacks"));
    if (!fallbacks.isUndefined()) {
        if (!fallbacks.isObject()) {
            *error = QStringLiteral("config.model_fallbacks must be an object of model -> fallback model (or a list of them, tried in order)");
            return std::nullopt;
        }
        const QJsonObject f = fallbacks.toObject();
        for (auto it = f.begin(); it != f.end(); ++it) {
            QStringList list;
            const QJsonArray items = it.value().isArray() ? it.value().toArray() : QJsonArray{it.value()};
            for (const QJsonValue &m : items) {
                if (!m.isString() || m.toString().isEmpty()) {
                    *error = QStringLiteral("model_fallbacks.%1 must be a model name or a list of them").arg(it.key());
                    return std::nullopt;
                }
                if (m.toString() == it.key()) {
                    *error = QStringLiteral("model_fallbacks.%1 falls back to itself").arg(it.key());
                    return std::nullopt;
                }
                list << m.toString();
            }
            c.modelFallbacks.insert(it.key(), list);
        }
    }
    if (!readOrigins(json, &c.allowedOrigins, error) || !readHosts(json, &c.allowedHosts, error))
        return std::nullopt;
    int defaultMax = int(c.defaultMaxTokens);
    if (!readInt(json, "default_max_tokens", QStringLiteral("config"), 1, &defaultMax, error))
        return std::nullopt;
    c.defaultMaxTokens = defaultMax;
    const QJsonValue pricing = json.value(QLatin1String("pricing"));
    if (!pricing.isUndefined() && !pricing.isObject()) {
        *error = QStringLiteral("config.pricing must be an object of model name -> prices");
        return std::nullopt;
    }
    c.pricing = pricing.toObject();
    const QJsonValue limits = json.value(QLatin1String("limits"));
    if (!limits.isUndefined()) {
        if (!limits.isObject()) {
            *error = QStringLiteral("config.limits must be an object");
            return std::nullopt;
        }
        const QJsonObject l = limits.toObject();
        const QString w = QStringLiteral("limits");
        int maxHeader = int(c.limits.maxHeaderBytes), maxBody = int(c.limits.maxBodyBytes);
        if (!checkKeys(l, w, {"max_header_bytes", "max_body_bytes", "header_timeout_ms", "body_timeout_ms", "keep_alive_timeout_ms", "max_connections"}, error)
            || !readInt(l, "max_header_bytes", w, 1024, &maxHeader, error) || !readInt(l, "max_body_bytes", w, 1, &maxBody, error)
            || !readInt(l, "header_timeout_ms", w, 1, &c.limits.headerTimeoutMs, error) || !readInt(l, "body_timeout_ms", w, 1, &c.limits.bodyTimeoutMs, error)
            || !readInt(l, "keep_alive_timeout_ms", w, 1, &c.limits.keepAliveTimeoutMs, error)
            || !readInt(l, "max_connections", w, 1, &c.limits.maxConnections, error))
            return std::nullopt;
        c.limits.maxHeaderBytes = maxHeader;
        c.limits.maxBodyBytes = maxBody;
    }
    return c;
}

std::optional<GatewayConfig> GatewayConfig::fromFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("%1: not a JSON object (%2 at offset %3)").arg(path, pe.errorString()).arg(pe.offset);
        return std::nullopt;
    }
    std::optional<GatewayConfig> c = fromJson(doc.object(), error);
    if (!c) {
        *error = path + QStringLiteral(": ") + *error;
        return std::nullopt;
    }
    c->configPath = path;
    return c;
}

int GatewayConfig::tierOf(const QString &tenant) const
{
    for (const TenantTier &t : tenantTiers)
        if (Glob::matches(t.match, tenant))
            return t.priority;
    return 0;
}

QString GatewayConfig::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/tokenfuse");
}

QString GatewayConfig::defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/tokenfuse/config.json");
}
