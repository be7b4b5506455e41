#pragma once

#include "UpstreamBreaker.h"
#include "UpstreamStats.h"
#include "UpstreamView.h"
#include "config/UpstreamConfig.h"

#include <QHash>
#include <QList>

#include <functional>
#include <memory>
#include <optional>

// Which upstream a request goes to, and what the gateway has seen of each: one breaker per
// upstream (and, where breakerPerModel, one per upstream and model, for a provider that fails one
// model only), the requests in flight, and the recent figures. A model is served by the enabled
// upstreams whose globs or aliases name it, in the request's dialect; the router picks by
// priority (lower first), then by weight (random, in proportion), among those whose breakers let
// traffic through. Gateway thread only; the clock and the random numbers come from the caller.
class UpstreamRouter
{
public:
    struct Pick
    {
        std::optional<UpstreamConfig> upstream; // none: nothing healthy serves the model
        int candidates = 0;                     // upstreams that serve it, healthy or not
        qint64 retryAtMs = 0;                   // when the first open breaker among them probes again
        QString why;                            // for the refusal: "deepseek: open (5 failures in a row (last: 503))"
    };

    // Keeps the state of upstreams whose name stays; forgets the others.
    void setUpstreams(const QList<UpstreamConfig> &upstreams);
    const QList<UpstreamConfig> &upstreams() const { return m_order; }

    // Some enabled upstream serves the model in that dialect, healthy or not.
    bool serves(const QString &model, ApiDialect api) const;
    // `random01` in [0, 1) spreads requests over upstreams of equal priority by weight.
    // Upstreams named in `avoid` (they failed this request already) come last, whatever their priority.
    Pick pick(const QString &model, ApiDialect api, qint64 nowMs, double random01, const QStringList &avoid = {});
    // How an attempt the router picked ended: `failure` empty for a success (a 4xx the client
    // caused is a success of the upstream's), else what went wrong ("503", "connection refused").
    void record(const QString &upstream, const QString &model, qint64 nowMs, qint64 latencyMs, qint64 ttftMs,
                const QString &failure);
    void started(const QString &upstream);
    void ended(const QString &upstream);

    // Upstreams whose open breaker waits for an active health check now (each marked as checked,
    // so it is handed out once); checkEnded() tells how it went.
    QList<UpstreamConfig> dueChecks(qint64 nowMs);
    void checkEnded(const QString &upstream, qint64 nowMs, UpstreamBreaker::Check result, const QString &what);

    QList<UpstreamView> views(qint64 nowMs);
    // Breaker changes since the last call, oldest first.
    QList<UpstreamTransitionView> takeTransitions();
    // Every breaker's state by upstream name (the upstream's own), for /metrics.
    QHash<QString, QString> breakerStates() const;

    static constexpr int MaxModelBreakers = 64; // per upstream; the least recently used go first

private:
    struct Runtime
    {
        UpstreamConfig config;
        UpstreamBreaker breaker;
        QHash<QString, UpstreamBreaker> models;
        QList<QString> modelUse; // least recently used first
        UpstreamStats stats;
        int inFlight = 0;
        qint64 breakerSinceMs = 0;
        qint64 lastCheckAtMs = 0;
        QString lastCheck;
    };
    Runtime *find(const QString &name);
    UpstreamBreaker *modelBreaker(Runtime &r, const QString &model, bool create);
    void collect(Runtime &r, const QString &model, UpstreamBreaker &breaker);

    QList<UpstreamConfig> m_order;
    QHash<QString, std::shared_ptr<Runtime>> m_runtimes;
    QList<UpstreamTransitionView> m_transitions;
};
