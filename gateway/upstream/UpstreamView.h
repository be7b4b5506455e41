#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// One model's own breaker on an upstream (a provider that fails one model only).
struct UpstreamModelBreakerView
{
    QString model;
    QString state;   // "closed", "open", "half_open"
    QString reason;
    qint64 retryAtMs = 0;
};

// One configured upstream as the console and GET /admin/v1/upstreams see it: a copyable value
// taken on the gateway thread. Figures over the last minute unless said otherwise. The key is
// never here, only where it comes from and a hint of its last characters.
struct UpstreamView
{
    QString name;
    QString preset;          // "deepseek", ...; empty: none
    QString dialect;         // "openai" or "anthropic"
    QString baseUrl;
    bool enabled = true;
    QString keySource;       // "config", "env:DEEPSEEK_API_KEY", "secret-store", "file", "none"
    QString keyHint;         // "sk-…a1b2"; empty when there is no key
    bool keyMissing = false; // a key was configured (env, store) but could not be found
    QStringList models;      // globs
    int priority = 0;
    int weight = 1;

    QString breaker = QStringLiteral("closed"); // "closed", "open", "half_open"
    QString breakerReason;   // why it last changed: "5 failures in a row (last: 503)"
    qint64 breakerSinceMs = 0;
    qint64 retryAtMs = 0;    // an open breaker's next probe (0 unless open)
    QList<UpstreamModelBreakerView> modelBreakers; // only those not closed

    int inFlight = 0;
    int limit = 0;           // concurrency limit in force now (adaptive; 0: none)
    int configuredLimit = 0; // max_concurrency from the config (0: none)
    int queued = 0;
    int maxQueue = 0;

    qint64 requests = 0;     // attempts that ended in the last minute
    qint64 failures = 0;
    double errorRate = 0;    // failures / requests, 0 when none
    qint64 latencyP50Ms = -1;
    qint64 latencyP99Ms = -1;
    qint64 ttftP50Ms = -1;
    qint64 lastProbeAtMs = 0;  // the latest active health check (0: none yet)
    QString lastProbe;         // "ok in 42 ms", "connection refused", ...
};

// A breaker changing state, for the Overview's timeline, notifications and the log.
struct UpstreamTransitionView
{
    QString upstream;
    QString model;           // empty: the upstream's own breaker
    QString from;
    QString to;
    qint64 atMs = 0;
    QString reason;
};

// The answer to a console's or admin API's Test: one tiny request to the upstream.
struct UpstreamTestResult
{
    QString upstream;
    bool ok = false;
    int status = 0;          // the upstream's HTTP status, 0 when none came
    qint64 latencyMs = -1;
    QString model;           // the model the test asked for
    QString message;         // "200 in 184 ms", or what went wrong
};

Q_DECLARE_METATYPE(UpstreamView)
Q_DECLARE_METATYPE(UpstreamTestResult)
Q_DECLARE_METATYPE(UpstreamTransitionView)
