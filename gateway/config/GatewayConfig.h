#pragma once

#include "UpstreamConfig.h"
#include "budget/BudgetRule.h"
#include "budget/RateLimitRule.h"
#include "http/HttpLimits.h"
#include "session/LoopDetectionConfig.h"
#include "simulator/SimulatorProfile.h"
#include "upstream/RetryPolicy.h"
#include "upstream/UpstreamNetwork.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

class SecretStore;

// A tenant's tier ("tenants": [{"match": "ci-*", "priority": -1}]): when an upstream's wait queue
// is full, higher tiers are served first and lower ones refused. Virtual keys carry one too.
struct TenantTier
{
    QString match;     // tenant name or glob
    int priority = 0;  // higher first; 0 is everyone's default
};

// Everything the gateway runs with: the config file merged with the command line. A value, copied
// into the gateway thread at start.
struct GatewayConfig
{
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8400;
    QString dataDir;
    QString configPath;       // where it was read from (and is watched, and written to), empty when none
    bool upstreamsFromCommandLine = false; // --upstream: a reload keeps them instead of the file's
    QList<UpstreamConfig> upstreams;
    RetryPolicy::Settings retry; // "retries": {"max_attempts", "base_delay_ms", "max_delay_ms", "deadline_ms"}
    // "model_fallbacks": {"deepseek-reasoner": ["deepseek-chat"]}: tried in order when every
    // upstream of a model is down (a string is a list of one).
    QHash<QString, QStringList> modelFallbacks;
    QList<TenantTier> tenantTiers; // first match wins
    UpstreamNetwork network;       // the environment's proxy, overridden by "proxy"; "tls": {"ca_bundle"}
    bool simulate = false;    // --simulate: every model goes to the built-in simulator
    SimulatorProfile simulator;
    QJsonObject pricing;      // overrides of the bundled price table
    bool hasBudgets = false;  // the file has a "budgets" key: it wins over rules saved by the admin API
    QList<BudgetRule> budgets;
    bool hasRateLimits = false; // the file has a "rate_limits" key: it wins over rules saved by the admin API
    QList<RateLimitRule> rateLimits;
    LoopDetectionConfig loopDetection; // "loop_detection": see docs/loop-detection.md
    qint64 defaultMaxTokens = 4096; // the worst case reserved for a request that names no max_tokens
    HttpLimits limits;
    QStringList allowedOrigins; // web origins whose requests are let in (exact, e.g. "http://localhost:3000")
    QStringList allowedHosts;   // Host names beyond loopback and the listen address (no port)
    QJsonObject raw;          // the file as read, for the parts later steps read (budgets, rate_limits)
    QStringList warnings;     // things worth a line in the log that do not stop the gateway
    // Where "api_key_secret" keys are read (and the admin API will write them); null until a
    // store is bound (fromJson's `secrets`, or resolveKeys once the data dir is known).
    std::shared_ptr<SecretStore> secrets;

    // The simulator answers every model when asked to, or when no upstream is configured.
    bool simulatorServesAll() const { return simulate || upstreams.isEmpty(); }
    // The tier of a tenant by "tenants" (0 when none matches).
    int tierOf(const QString &tenant) const;

    // Reads a config object; on error says which key is wrong and why. With `secrets`, the
    // upstreams' api_key_secret keys are read from it at once; without, they wait (keyMissing)
    // for resolveKeys.
    static std::optional<GatewayConfig> fromJson(const QJsonObject &json, QString *error, std::shared_ptr<SecretStore> secrets = {});
    static std::optional<GatewayConfig> fromFile(const QString &path, QString *error, std::shared_ptr<SecretStore> secrets = {});
    // Binds `store` and reads every upstream's api_key_secret from it (UpstreamConfig::resolveKey),
    // a warning for each one it lacks.
    void resolveKeys(std::shared_ptr<SecretStore> store);
    // The file's bytes as read (by the watcher); errors start with the path.
    static std::optional<GatewayConfig> fromBytes(const QByteArray &bytes, const QString &path, QString *error,
                                                  std::shared_ptr<SecretStore> secrets = {});
    // The config a changed file gives the running gateway: `next` as read, with what only the
    // command line or a restart can change kept from `running` (listen address, data folder,
    // --simulate and the simulator's knobs, --upstream). Notes what waits for a restart.
    static GatewayConfig reloaded(const GatewayConfig &running, GatewayConfig next);
    static bool parseListen(const QString &text, QString *host, quint16 *port, QString *error);
    static QString defaultDataDir();
    static QString defaultConfigPath();
};
