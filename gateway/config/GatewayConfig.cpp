#include "GatewayConfig.h"

#include "ConfigJson.h"
#include "SecretStore.h"
#include "core/Glob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

namespace {
using ConfigJson::checkKeys;
using ConfigJson::fail;
using ConfigJson::readInt;
using ConfigJson::readMs;
using ConfigJson::readString;
using ConfigJson::readStringList;

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

// "tenants": [{"match": "ci-*", "priority": -1}], first match wins.
bool readTenants(const QJsonObject &o, QList<TenantTier> *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("tenants"));
    if (v.isUndefined())
        return true;
    if (!v.isArray())
        return fail(error, QStringLiteral("config.tenants must be an array of {\"match\", \"priority\"}"));
    int i = 0;
    for (const QJsonValue &item : v.toArray()) {
        const QString w = QStringLiteral("tenants[%1]").arg(i++);
        if (!item.isObject())
            return fail(error, w + QStringLiteral(" must be an object"));
        const QJsonObject t = item.toObject();
        TenantTier tier;
        if (!checkKeys(t, w, {"match", "priority"}, error) || !readString(t, "match", w, &tier.match, error)
            || !readInt(t, "priority", w, -1000, &tier.priority, error))
            return false;
        if (tier.match.trimmed().isEmpty())
            return fail(error, w + QStringLiteral(".match is required (a tenant name or glob)"));
        if (!t.contains(QLatin1String("priority")))
            return fail(error, w + QStringLiteral(".priority is required (higher is served first; 0 is everyone's default)"));
        if (tier.priority > 1000)
            return fail(error, w + QStringLiteral(".priority must be at most 1000"));
        out->append(tier);
    }
    return true;
}

// "proxy": {"https", "http", "no_proxy"}: each key given replaces what the environment says; an
// empty string turns that proxy off.
bool readProxy(const QJsonObject &o, UpstreamNetwork *n, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("proxy"));
    if (v.isUndefined())
        return true;
    const QString w = QStringLiteral("proxy");
    if (!v.isObject())
        return fail(error, QStringLiteral("config.proxy must be an object"));
    const QJsonObject p = v.toObject();
    if (!checkKeys(p, w, {"https", "http", "no_proxy"}, error) || !readString(p, "https", w, &n->httpsProxy, error)
        || !readString(p, "http", w, &n->httpProxy, error))
        return false;
    for (const char *key : {"https", "http"}) {
        const QString text = (qstrcmp(key, "https") == 0 ? n->httpsProxy : n->httpProxy).trimmed();
        if (!p.contains(QLatin1String(key)) || text.isEmpty())
            continue;
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("http") || url.host().isEmpty() || !(url.path().isEmpty() || url.path() == QLatin1String("/")))
            return fail(error, QStringLiteral("proxy.%1 must be an http:// proxy URL, e.g. \"http://proxy.corp:3128\", got '%2'")
                                   .arg(QLatin1String(key), text));
    }
    n->httpsProxy = n->httpsProxy.trimmed();
    n->httpProxy = n->httpProxy.trimmed();
    if (p.contains(QLatin1String("no_proxy"))) {
        QStringList noProxy;
        if (!readStringList(p, "no_proxy", w, &noProxy, error))
            return false;
        n->noProxy = noProxy;
    }
    return true;
}

// "tls": {"ca_bundle": "/path/to/corp-ca.pem"}: extra certificate authorities, checked here so a
// wrong path stops the start instead of failing every request.
bool readTls(const QJsonObject &o, UpstreamNetwork *n, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("tls"));
    if (v.isUndefined())
        return true;
    const QString w = QStringLiteral("tls");
    if (!v.isObject())
        return fail(error, QStringLiteral("config.tls must be an object"));
    const QJsonObject t = v.toObject();
    QString bundle;
    if (!checkKeys(t, w, {"ca_bundle"}, error) || !readString(t, "ca_bundle", w, &bundle, error))
        return false;
    if (bundle.isEmpty())
        return true;
    const QFileInfo file(bundle);
    if (!file.isFile() || !file.isReadable())
        return fail(error, QStringLiteral("tls.ca_bundle: '%1' %2").arg(bundle, file.exists() ? QStringLiteral("cannot be read") : QStringLiteral("does not exist")));
    n->caBundle = file.absoluteFilePath();
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

std::optional<GatewayConfig> GatewayConfig::fromJson(const QJsonObject &json, QString *error, std::shared_ptr<SecretStore> secrets)
{
    GatewayConfig c;
    c.network = UpstreamNetwork::fromEnvironment();
    c.raw = json;
    if (!checkKeys(json, QStringLiteral("config"),
                   {"listen", "data_dir", "upstreams", "budgets", "rate_limits", "loop_detection", "pricing", "limits", "default_max_tokens",
                    "allowed_origins", "allowed_hosts", "retries", "model_fallbacks", "tenants", "proxy", "tls"}, error))
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
            if (!UpstreamConfig::fromJson(v, QStringLiteral("upstreams[%1]").arg(i), &u, &c.warnings, error))
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
    if (secrets)
        c.resolveKeys(std::move(secrets));
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
    if (!readRetries(json, &c.retry, error) || !readTenants(json, &c.tenantTiers, error) || !readProxy(json, &c.network, error)
        || !readTls(json, &c.network, error))
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

void GatewayConfig::resolveKeys(std::shared_ptr<SecretStore> store)
{
    secrets = std::move(store);
    for (UpstreamConfig &u : upstreams)
        u.resolveKey(secrets, QStringLiteral("upstream"), &warnings);
}

std::optional<GatewayConfig> GatewayConfig::fromFile(const QString &path, QString *error, std::shared_ptr<SecretStore> secrets)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    return fromBytes(f.readAll(), path, error, std::move(secrets));
}

std::optional<GatewayConfig> GatewayConfig::fromBytes(const QByteArray &bytes, const QString &path, QString *error,
                                                      std::shared_ptr<SecretStore> secrets)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("%1: not a JSON object (%2 at offset %3)").arg(path, pe.errorString()).arg(pe.offset);
        return std::nullopt;
    }
    std::optional<GatewayConfig> c = fromJson(doc.object(), error, std::move(secrets));
    if (!c) {
        *error = path + QStringLiteral(": ") + *error;
        return std::nullopt;
    }
    c->configPath = path;
    return c;
}

GatewayConfig GatewayConfig::reloaded(const GatewayConfig &running, GatewayConfig next)
{
    const QString before = QStringLiteral("%1:%2").arg(running.listenHost).arg(running.listenPort);
    const QString after = QStringLiteral("%1:%2").arg(next.listenHost).arg(next.listenPort);
    if (next.raw.contains(QLatin1String("listen")) && before != after)
        next.warnings << QStringLiteral("listen: %1 takes effect at the next start; TokenFuse keeps listening on %2").arg(after, before);
    if (!next.dataDir.isEmpty() && next.dataDir != running.dataDir)
        next.warnings << QStringLiteral("data_dir: %1 takes effect at the next start; TokenFuse keeps using %2").arg(next.dataDir, running.dataDir);
    next.listenHost = running.listenHost;
    next.listenPort = running.listenPort;
    next.dataDir = running.dataDir;
    next.configPath = running.configPath;
    next.simulate = running.simulate;
    next.simulator = running.simulator;
    if (!next.secrets && running.secrets)
        next.resolveKeys(running.secrets);
    if (running.upstreamsFromCommandLine) {
        next.upstreams = running.upstreams;
        next.upstreamsFromCommandLine = true;
    }
    return next;
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
