#pragma once

#include "GatewaySnapshot.h"
#include "GatewayTotals.h"
#include "admin/AdminCall.h"
#include "admin/AdminUpstreams.h"
#include "admin/AdminToken.h"
#include "budget/BudgetLedger.h"
#include "budget/RateLimiter.h"
#include "keys/VirtualKeyRegistry.h"
#include "metrics/GatewayMetrics.h"
#include "accounting/UsageRecord.h"
#include "config/GatewayConfig.h"
#include "http/RequestGuard.h"
#include "http/RouteTable.h"
#include "proxy/CallerIdentity.h"
#include "proxy/ProxyServices.h"
#include "session/SessionBook.h"
#include "session/SessionBreakers.h"
#include "session/LoopDetector.h"
#include "session/SessionCommand.h"
#include "session/SessionRegistry.h"
#include "upstream/UpstreamGate.h"
#include "upstream/UpstreamRouter.h"
#include <QPointer>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class AdminApi;
class ConfigWatcher;
class Dialect;
class HttpResponder;
class HttpServer;
class PeerProcessFinder;
class PriceTable;
class ProxyExchange;
class SimulatorServer;
class UpstreamClient;
class UsageStore;
struct HttpRequest;

// The gateway itself: owns the server, the upstream client, the store and every exchange in
// flight, routes each request, and publishes a snapshot a few times a second. Lives and dies on
// the gateway thread (see GatewayHost); everything it owns is created there.
class Gateway : public QObject
{
    Q_OBJECT
public:
    explicit Gateway(const GatewayConfig &config, QObject *parent = nullptr);
    ~Gateway() override;

    bool start(QString *error);
    // A new config for the running gateway (the watched file changed, or the admin API changed
    // upstreams): upstreams, retries, fallbacks, tiers, prices, budgets and rate limits from the
    // file, loop detection, limits, origins and hosts take effect for the requests that arrive
    // from now on; those in flight keep the upstream and price table they started with. False,
    // and nothing changed, when it can't be applied (*error says why).
    bool reconfigure(const GatewayConfig &next, QString *error);
    // The config file's bytes changed on disk: parsed, and applied or rejected with a log line
    // naming the key (the running config stays).
    void reloadConfigFile(const QByteArray &bytes, bool exists);
    QString listenAddress() const;
    quint16 port() const;
    const GatewayConfig &config() const { return m_config; }
    int inFlight() const { return m_registry.inFlight(); }
    // The exchanges in flight by session and tenant: touch only from the gateway thread.
    const SessionRegistry &sessions() const { return m_registry; }
    GatewaySnapshot snapshot();
    // The upstreams as the console and GET /admin/v1/upstreams see them (gateway thread only).
    QList<UpstreamView> upstreamViews();
    const UpstreamRouter &router() const { return m_router; }
    // Where the built-in simulator answers, when it runs (0 otherwise).
    quint16 simulatorPort() const { return m_simulatorPort; }
    QString databasePath() const;
    QString adminTokenPath() const { return m_adminToken.path(); }
    // Budgets, for tests that drive the gateway in-process: touch only from the gateway thread.
    BudgetLedger &ledger() { return m_ledger; }
    // Time as the budgets and rate limits see it (tests put a manual clock here).
    void setClock(const BudgetClock *clock);
    // The Prometheus counters behind GET /metrics (gateway thread only). openBreaker() feeds
    // noteKill for kills by hand and noteTrip for a detector's trips.
    GatewayMetrics &metrics() { return m_metrics; }
    // What GET /metrics reads at scrape time besides the counters.
    MetricsGauges metricsGauges();

    // The kill switches (PRODUCT.md): kill or resume a session or a tenant, stop-all, resume-all.
    // A kill blocks new requests (403 session_blocked) and ends those in flight at once (an error
    // event in the client's dialect, the upstream aborted, usage so far billed); each change is
    // kept in the store and written to the audit table under `actor`.
    SessionCommandResult execute(const SessionCommand &command, const QString &actor);
    // An admin API call made in-process (the console's): the same handlers as /admin/v1/ over
    // HTTP, without the token; `done` runs on this thread once the answer is ready (after the
    // store has saved a change). Only after start() has succeeded.
    void admin(const AdminCall &call, const QString &actor, std::function<void(const AdminAnswer &)> done);
    const SessionBreakers &breakers() const { return m_breakers; }
    const SessionBook &sessionBook() const { return m_book; }
    // The sessions the console and GET /admin/v1/sessions see (SessionBook::views).
    QList<SessionView> sessionViews(int limit) const;
    std::optional<SessionView> sessionView(const QString &id) const;

Q_SIGNALS:
    // A config file change was applied (`ok`) or rejected; `message` says what or why.
    void configReloaded(bool ok, const QString &message);
    void snapshotReady(const GatewaySnapshot &snapshot);
    void requestRecorded(const UsageRecord &row);
    void logLine(const QString &line);
    // A budget crossed its alert threshold (alert_at) or its cap.
    void budgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);
    // The loop detector tripped these sessions (warnOnly: only the alert, nothing blocked).
    void sessionTripped(const QStringList &sessions, const QString &signal, const QString &evidence, bool warnOnly);
    // An upstream's (or an upstream and model's) circuit breaker changed state.
    void upstreamBreakerChanged(const UpstreamTransitionView &transition);

private:
    void handle(const HttpRequest &request, HttpResponder *responder);
    // Every path the gateway serves, into m_routes (see RouteTable for which route wins).
    void registerRoutes();
    void handleHealth(const HttpRequest &request, HttpResponder *responder);
    void handleMetrics(const HttpRequest &request, HttpResponder *responder);
    bool loadBudgetState(QString *error);
    void seedSessions();
    // Tenant and session of a request, then `proceed` (at once, or once the calling process is
    // named off this thread). Answers 401 itself for an unknown tf- key, and drops the request if
    // its client has gone meanwhile.
    void identify(const HttpRequest &request, HttpResponder *responder, std::function<void(const CallerIdentity &)> proceed);
    // Every endpoint whose dialect TokenFuse knows (Dialect::forEndpoint): parsed, routed by model, metered.
    void handleChat(const HttpRequest &request, HttpResponder *responder, const Dialect &dialect);
    void handlePassthrough(const HttpRequest &request, HttpResponder *responder);
    void handleModels(const HttpRequest &request, HttpResponder *responder);
    UpstreamRouter::Pick route(const QString &model, ApiDialect api);
    // 503 upstream_unavailable for a model every upstream of which has its breaker open.
    void refuseUnavailable(const HttpRequest &request, HttpResponder *responder, const QString &model, const UpstreamRouter::Pick &pick);
    void launch(ProxyExchange *exchange);
    // Through the upstream's concurrency limit (UpstreamGate): `go` makes and launches the
    // exchange at once, or once a slot frees; a full queue or a long wait answers 503.
    void admit(const HttpRequest &request, QPointer<HttpResponder> alive, const QString &upstream, int tier,
               std::function<ProxyExchange *()> go);
    void configureGate();
    // False when a breaker (stop-all, the tenant's, the session's) refuses the caller: answered
    // 403 session_blocked here.
    bool passesBreakers(const HttpRequest &request, HttpResponder *responder, const CallerIdentity &caller);
    // Opens a breaker: kept, persisted with its audit entry, the exchanges it covers ended.
    int openBreaker(SessionBlock block, const QString &action);
    // Breakers whose cooldown ran out are closed (and forgotten by the store).
    void expireBreakers();
    // The loop detector's look at a request about to go through; false when it tripped the
    // session (answered 403 session_blocked here).
    bool passesLoopDetector(const HttpRequest &request, HttpResponder *responder, const CallerIdentity &caller, const ChatRequest &chat);
    // A trip: each session it names blocked (or, in warn mode, only announced).
    void onLoopTrip(const LoopTrip &trip);
    // Answers a request the gateway refuses before any exchange exists (malformed, no upstream,
    // wrong method, unknown key, ...): the error in the path's dialect, x-should-retry as
    // PRODUCT.md's table says (unless `extra` sets it), x-tokenfuse-request-id, and a row in the
    // requests table with status, `kind` (invalid_api_key, not_found, ...), endpoint, and the
    // model, tenant and session where the request tells them.
    void respondError(const HttpRequest &request, HttpResponder *responder, int dialectError, const QString &kind,
                      const QString &message, const HttpHeaders &extra = {});
    // Tenant and fingerprint from a tf- virtual key, if the request has one; false if it is unknown.
    bool applyVirtualKey(CallerIdentity *caller) const;
    // Names the calling process of a session that came with its own id, off the request's path.
    void nameProcess(const HttpRequest &request, const QString &session);
    bool startSimulator(QString *error);
    void onRecorded(const UsageRecord &row);
    void publish();
    // The router's breaker changes: logged, and signalled for the console.
    void announceBreakerChanges();
    // Open breakers whose cooldown is over get their health check (UpstreamProbe).
    void runHealthChecks();
    AdminUpstreams::Services upstreamAdminServices();
    // What the upstream client goes through: the environment's proxy unless the config has one.
    static UpstreamNetwork effectiveNetwork(const GatewayConfig &config);
    // The admin API's new "upstreams": validated with the rest of the file, written to it, applied.
    bool applyUpstreams(const QJsonArray &upstreams, QString *error, int *status);
    QList<UpstreamTransitionView> m_transitionsSincePublish;

    GatewayConfig m_config;
    HttpServer *m_server = nullptr;
    UpstreamClient *m_client = nullptr;
    UsageStore *m_store = nullptr;
    std::shared_ptr<const PriceTable> m_prices;
    ConfigWatcher *m_configWatcher = nullptr;
    ProxyServices m_services;
    RequestGuard m_guard;
    CallerResolver m_callers;
    PeerProcessFinder *m_peers = nullptr;
    BudgetLedger m_ledger;
    RateLimiter m_rates;
    VirtualKeyRegistry m_keys;
    AdminToken m_adminToken;
    std::unique_ptr<AdminApi> m_admin;
    RouteTable m_routes;
    SessionRegistry m_registry;
    SessionBreakers m_breakers;
    LoopDetector m_loops;
    SessionBook m_book;
    UpstreamConfig m_simulatorUpstream;
    UpstreamRouter m_router;
    UpstreamGate m_gate;
    quint16 m_simulatorPort = 0;
    QThread m_simulatorThread;
    SimulatorServer *m_simulator = nullptr;
    QTimer m_publishTimer;
    GatewayTotals m_totals;
    GatewayMetrics m_metrics;
};
