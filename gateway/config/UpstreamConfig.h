#pragma once

#include "dialect/ApiDialect.h"
#include "upstream/UpstreamBreaker.h"
#include "upstream/UpstreamRequest.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <QUrl>

#include <memory>

class SecretStore;

// The cheap request an open breaker's upstream is probed with, so recovery is noticed without
// sacrificing a user's request ("health_check" in the config).
struct UpstreamHealthCheck
{
    bool enabled = true;
    QByteArray method = "GET";
    QByteArray path = "/v1/models"; // a gateway-style path, appended to base_url as requests are (urlFor)
    QByteArray body;                // sent with POST; empty for GET
    int timeoutMs = 5'000;

    bool operator==(const UpstreamHealthCheck &) const = default;
};

// One provider endpoint from the config file. The key itself is resolved at load time (config,
// environment variable, or the OS secret store) and is never logged, stored in the clear or shown;
// only its source and a hint of its last characters are.
struct UpstreamConfig
{
    enum class KeySource { None, Config, Environment, SecretStore };

    QString name;
    QString preset;          // the preset it was filled from ("deepseek", ...); empty: none
    bool enabled = true;     // false: kept in the config, never routed to
    QUrl baseUrl;            // what the provider's own SDK takes as base URL
    ApiDialect dialect = ApiDialect::OpenAi;
    KeySource keySource = KeySource::None;
    QString apiKeyEnv;       // "api_key_env"
    QString apiKeySecret;    // "api_key_secret": the entry's name in the secret store
    QString apiKey;          // resolved; empty when there is none
    bool keyMissing = false; // a key source was named but gave nothing
    QStringList models;      // globs (core/Glob); empty = every model
    QHash<QString, QString> aliases; // "aliases": a client's model name -> the provider's
    int priority = 0;        // lower first
    int weight = 1;
    int maxConcurrency = 0;  // 0 = no ceiling of its own
    int maxQueue = 256;      // requests that may wait for a slot once maxConcurrency are in flight
    int queueTimeoutMs = 30'000; // the longest one waits before 503
    UpstreamTimeouts timeouts;
    UpstreamBreaker::Policy breaker; // "breaker": {"consecutive", "error_rate", "min_requests", "window_ms", "slow_ms", "cooldown_ms", "max_cooldown_ms"}
    bool breakerPerModel = true;     // besides the upstream's own breaker, one per model it serves
    UpstreamHealthCheck healthCheck;
    bool builtInSimulator = false;

    // Reads one "upstreams" entry (`where`: "upstreams[2]"), filling what it leaves out from its
    // preset; on a mistake says which key and why. The environment's key is read here; a secret
    // store's is not (resolveKey).
    static bool fromJson(const QJsonValue &value, const QString &where, UpstreamConfig *out, QStringList *warnings, QString *error);
    // "api_key_secret": the key from `secrets`; keyMissing and a warning when it has none (or there
    // is no store). Does nothing for an upstream that names no secret.
    void resolveKey(const std::shared_ptr<SecretStore> &secrets, const QString &where, QStringList *warnings);

    void setModels(const QStringList &globs);
    // By its globs, or as an alias.
    bool servesModel(const QString &model) const;
    // The model name to send upstream for a client's model (its alias, or itself).
    QString providerModel(const QString &clientModel) const;
    // "sk-…a1b2": enough to tell two keys apart, never enough to use one. Empty without a key.
    QString keyHint() const;
    // "config", "env:NAME", "secret-store:NAME", "none"
    QString keySourceText() const;
    // base_url + the part of the gateway path after /v1 (OpenAI base URLs end in a version, mostly
    // /v1, Zhipu's /v4; Anthropic's end in none),
    // its dot segments resolved (UrlPath); an invalid URL when they would climb above base_url.
    QUrl urlFor(const QByteArray &gatewayPath, const QByteArray &query) const;
};
