#include "Gateway.h"

#include "accounting/PriceTable.h"
#include "config/ConfigFileWriter.h"
#include "config/ConfigWatcher.h"
#include "config/FileSecretStore.h"
#include "upstream/UpstreamPreset.h"
#include "upstream/UpstreamProbe.h"
#include "admin/AdminApi.h"
#include "dialect/Dialect.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"
#include "http/UrlPath.h"
#include "proxy/AgentRefusal.h"
#include "proxy/PeerProcessFinder.h"
#include "proxy/ProxyExchange.h"
#include "proxy/RequestId.h"
#include "simulator/SimulatorServer.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"
#include "upstream/UpstreamClient.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QSaveFile>

namespace {
// The inactive sessions the console is sent besides those that matter (SessionBook::views).
constexpr int ConsoleSessions = 200;
// A session counts as active on the console's headline while it has been seen this recently.
constexpr qint64 ActiveWithinMs = 5 * 60 * 1000;
} // namespace


Gateway::Gateway(const GatewayConfig &config, QObject *parent) : QObject(parent), m_config(config)
{
    qRegisterMetaType<GatewaySnapshot>();
    qRegisterMetaType<UsageRecord>();
    if (m_config.dataDir.isEmpty())
        m_config.dataDir = GatewayConfig::defaultDataDir();
    m_guard = RequestGuard({m_config.listenHost, m_config.allowedHosts, m_config.allowedOrigins});
    m_loops.setConfig(m_config.loopDetection);
    registerRoutes();
}

Gateway::~Gateway()
{
    m_publishTimer.stop();
    // Close the door first, then end what is in flight; the store flushes their rows as it closes.
    delete m_server;
    m_server = nullptr;
    m_registry.cancelAll(Dialect::Error::UpstreamUnavailable, QStringLiteral("TokenFuse is shutting down."));
    delete m_client;
    delete m_store;
    if (m_simulatorThread.isRunning()) {
        QMetaObject::invokeMethod(m_simulator, [this] { delete m_simulator; }, Qt::BlockingQueuedConnection);
        m_simulatorThread.quit();
        m_simulatorThread.wait();
    }
}

bool Gateway::start(QString *error)
{
    // The app hands its keychain in; headless embeddings (and tests) keep pasted keys in the file.
    if (!m_config.secrets)
        m_config.resolveKeys(std::make_shared<FileSecretStore>(m_config.dataDir));
    std::optional<PriceTable> prices = PriceTable::bundled().withOverrides(m_config.pricing, error);
    if (!prices)
        return false;
    m_prices = std::make_shared<const PriceTable>(std::move(*prices));

    m_store = new UsageStore(this);
    if (!m_store->open(m_config.dataDir, error))
        return false;
    connect(m_store, &UsageStore::writeFailed, this, [this](const QString &why) {
        Q_EMIT logLine(QStringLiteral("the usage store cannot write; requests are refused (503 store_unavailable) until it can: ") + why);
    });
    connect(m_store, &UsageStore::writeRecovered, this, &Gateway::logLine);
    connect(m_store, &UsageStore::jobDropped, this, &Gateway::logLine);

    if (!loadBudgetState(error) || !m_adminToken.loadOrCreate(m_config.dataDir, error))
        return false;
    AdminSessions::Services sessions;
    sessions.execute = [this](const SessionCommand &c, const QString &actor) { return execute(c, actor); };
    sessions.sessions = [this] { return sessionViews(m_book.size()); };
    sessions.session = [this](const QString &id) { return sessionView(id); };
    sessions.stoppedAll = [this] { return m_breakers.stoppedAll(); };
    sessions.storeProblem = [this] { return m_store->failure(); };
    AdminApi::Services admin;
    admin.token = &m_adminToken;
    admin.ledger = &m_ledger;
    admin.store = m_store;
    admin.keys = &m_keys;
    admin.databasePath = m_store->databasePath();
    admin.sessions = sessions;
    admin.rates = &m_rates;
    admin.configPath = m_config.configPath;
    admin.budgetsInConfig = m_config.hasBudgets;
    admin.rateLimitsInConfig = m_config.hasRateLimits;
    admin.upstreams = upstreamAdminServices();
    m_admin = std::make_unique<AdminApi>(admin);

    m_client = new UpstreamClient(this);
    if (!m_client->setNetwork(effectiveNetwork(m_config), error)) {
        *error = QStringLiteral("upstream network: ") + *error;
        return false;
    }
    m_services.client = m_client;
    m_services.store = m_store;
    m_services.prices = m_prices;
    m_services.ledger = &m_ledger;
    m_services.rates = &m_rates;
    m_services.defaultMaxTokens = m_config.defaultMaxTokens;
    m_services.recorded = [this](const UsageRecord &row) { onRecorded(row); };
    m_router.setUpstreams(m_config.upstreams);
    configureGate();
    m_services.retry = RetryPolicy(m_config.retry);
    m_services.reroute = [this](const QString &model, ApiDialect api, const QStringList &tried) -> std::optional<UpstreamConfig> {
        if (m_config.simulatorServesAll())
            return m_simulatorUpstream;
        const UpstreamRouter::Pick pick = m_router.pick(model, api, QDateTime::currentMSecsSinceEpoch(),
                                                        QRandomGenerator::global()->generateDouble(), tried);
        announceBreakerChanges();
        return pick.upstream;
    };
    m_services.upstreamStarted = [this](const QString &upstream) { m_router.started(upstream); };
    m_services.upstreamEnded = [this](const QString &upstream, const QString &model, qint64 latencyMs, qint64 ttftMs, const QString &failure) {
        m_router.ended(upstream);
        m_router.record(upstream, model, QDateTime::currentMSecsSinceEpoch(), latencyMs, ttftMs, failure);
        m_gate.noteOutcome(upstream, QDateTime::currentMSecsSinceEpoch(), failure == QLatin1String("429"));
        announceBreakerChanges();
    };
    m_services.answered = [this](const UsageRecord &row, const QString &text) {
        m_loops.observeOutput(row.session, row.tenant, text, row.endedAt);
    };

    if (m_config.simulatorServesAll() && !startSimulator(error))
        return false;

    m_server = new HttpServer(this);
    m_server->setLimits(m_config.limits);
    m_server->setErrorFormatter([](const QByteArray &path, int status, const QString &message) {
        return Dialect::forPath(path).errorBody(Dialect::errorForStatus(status), message);
    });
    m_server->setHandler([this](const HttpRequest &r, HttpResponder *responder) { handle(r, responder); });
    const QHostAddress address(m_config.listenHost == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : m_config.listenHost);
    if (address.isNull()) {
        *error = QStringLiteral("cannot listen on %1:%2: not an IP address").arg(m_config.listenHost).arg(m_config.listenPort);
        return false;
    }
    if (!m_server->listen(address, m_config.listenPort)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(m_config.listenHost).arg(m_config.listenPort).arg(m_server->errorString());
        return false;
    }
    for (const QString &w : std::as_const(m_config.warnings))
        Q_EMIT logLine(QStringLiteral("config: ") + w);
    if (m_config.simulatorServesAll())
        Q_EMIT logLine(m_config.simulate
                           ? QStringLiteral("--simulate: every model is answered by the built-in simulator")
                           : QStringLiteral("no upstream configured: every model is answered by the built-in simulator"));
    connect(&m_publishTimer, &QTimer::timeout, this, &Gateway::publish);
    connect(&m_publishTimer, &QTimer::timeout, this, &Gateway::runHealthChecks);
    // Waiters past their upstream's queue_timeout_ms are answered 503.
    connect(&m_publishTimer, &QTimer::timeout, this, [this] { m_gate.expire(QDateTime::currentMSecsSinceEpoch()); });
    m_publishTimer.start(250);
    if (!m_config.configPath.isEmpty()) {
        m_configWatcher = new ConfigWatcher(m_config.configPath, this);
        connect(m_configWatcher, &ConfigWatcher::changed, this, &Gateway::reloadConfigFile);
    }
    return true;
}

UpstreamNetwork Gateway::effectiveNetwork(const GatewayConfig &config)
{
    // The environment's proxy, as other developer tools take it, unless the config names one.
    UpstreamNetwork net = UpstreamNetwork::fromEnvironment();
    const UpstreamNetwork &own = config.network;
    if (!own.httpsProxy.isEmpty() || !own.httpProxy.isEmpty() || !own.noProxy.isEmpty()) {
        net.httpsProxy = own.httpsProxy;
        net.httpProxy = own.httpProxy;
        net.noProxy = own.noProxy;
    }
    net.caBundle = own.caBundle;
    return net;
}

AdminUpstreams::Services Gateway::upstreamAdminServices()
{
    AdminUpstreams::Services s;
    s.store = m_store;
    s.views = [this] { return upstreamViews(); };
    s.simulatorOnly = [this] { return m_config.simulatorServesAll(); };
    s.current = [this] { return m_config.upstreamsFromCommandLine ? QJsonArray() : m_config.raw.value(QLatin1String("upstreams")).toArray(); };
    s.apply = [this](const QJsonArray &upstreams, QString *error, int *status) { return applyUpstreams(upstreams, error, status); };
    s.storedIn = [this] {
        return m_config.configPath.isEmpty() ? QStringLiteral("memory: TokenFuse runs without a config file, so the change ends with it")
                                             : QStringLiteral("config file ") + m_config.configPath;
    };
    s.storeSecret = [this](const QString &name, const QString &secret, QString *error) {
        return m_config.secrets && m_config.secrets->write(name, secret, error);
    };
    s.removeSecret = [this](const QString &name) {
        if (m_config.secrets)
            m_config.secrets->remove(name);
    };
    s.readSecret = [this](const QString &name) -> std::optional<QString> {
        return m_config.secrets ? m_config.secrets->read(name) : std::nullopt;
    };
    s.presets = [] { return UpstreamPreset::catalogJson(); };
    s.test = [this](const QString &name, std::function<void(const UpstreamTestResult &)> done) {
        for (const UpstreamConfig &u : std::as_const(m_config.upstreams)) {
            if (u.name == name) {
                UpstreamProbe::run(m_client, u, this, [done](const UpstreamProbe::Outcome &o) { done(o.result); });
                return;
            }
        }
        UpstreamTestResult r;
        r.upstream = name;
        r.message = QStringLiteral("no upstream named '%1'").arg(name);
        done(r);
    };
    return s;
}

bool Gateway::applyUpstreams(const QJsonArray &upstreams, QString *error, int *status)
{
    if (m_config.upstreamsFromCommandLine) {
        *status = 409;
        *error = QStringLiteral("The upstream comes from --upstream on the command line; start TokenFuse without it to manage upstreams here.");
        return false;
    }
    QJsonObject file = m_config.raw;
    file.insert(QLatin1String("upstreams"), upstreams);
    std::optional<GatewayConfig> next = GatewayConfig::fromJson(file, error);
    if (!next) {
        *status = 400;
        return false;
    }
    const QString path = m_config.configPath;
    if (!path.isEmpty()) {
        if (!QFileInfo::exists(path)) {
            // The first upstream added in the console makes the config file.
            QDir().mkpath(QFileInfo(path).absolutePath());
            QSaveFile f(path);
            if (!f.open(QIODevice::WriteOnly) || f.write("{}\n") < 0 || !f.commit()) {
                *status = 500;
                *error = QStringLiteral("cannot create the config file %1: %2").arg(path, f.errorString());
                return false;
            }
        }
        // The watcher sees this write too and reloads the file: that applies what is in force
        // already, and whatever else the file gained meanwhile (an edit not reloaded yet).
        if (!ConfigFileWriter::writeKey(path, QStringLiteral("upstreams"), upstreams, error)) {
            *status = 500;
            return false;
        }
    }
    if (!reconfigure(GatewayConfig::reloaded(m_config, *next), error)) {
        *status = 500;
        return false;
    }
    return true;
}

void Gateway::runHealthChecks()
{
    if (!m_client)
        return;
    for (const UpstreamConfig &u : m_router.dueChecks(QDateTime::currentMSecsSinceEpoch())) {
        const QString name = u.name;
        UpstreamProbe::run(m_client, u, this, [this, name](const UpstreamProbe::Outcome &o) {
            const UpstreamBreaker::Check check = o.verdict == UpstreamProbe::Verdict::Healthy     ? UpstreamBreaker::Check::Healthy
                                                 : o.verdict == UpstreamProbe::Verdict::Unsupported ? UpstreamBreaker::Check::Unsupported
                                                                                                    : UpstreamBreaker::Check::Unhealthy;
            if (check == UpstreamBreaker::Check::Unsupported)
                Q_EMIT logLine(QStringLiteral("upstream %1: its health check got %2; requests probe it instead (set health_check)")
                                   .arg(name, o.result.message));
            m_router.checkEnded(name, QDateTime::currentMSecsSinceEpoch(), check, o.result.message);
            announceBreakerChanges();
        });
    }
}

void Gateway::reloadConfigFile(const QByteArray &bytes, bool exists)
{
    const QString path = m_config.configPath;
    if (!exists) {
        // A file removed (or mid-rename) is not an empty config: what runs, stays.
        const QString message = QStringLiteral("config file %1 was removed; the running config stays").arg(path);
        Q_EMIT logLine(message);
        Q_EMIT configReloaded(false, message);
        return;
    }
    QString error;
    std::optional<GatewayConfig> next = GatewayConfig::fromBytes(bytes, path, &error);
    if (next && !reconfigure(GatewayConfig::reloaded(m_config, *next), &error))
        next.reset();
    if (!next) {
        const QString message = QStringLiteral("config not reloaded, the running config stays: ") + error;
        Q_EMIT logLine(message);
        Q_EMIT configReloaded(false, message);
        return;
    }
    const QString message = QStringLiteral("config reloaded from %1: %2 upstream(s)%3")
                                .arg(path)
                                .arg(m_config.upstreams.size())
                                .arg(m_config.simulatorServesAll() ? QStringLiteral(", the simulator answers every model") : QString());
    Q_EMIT logLine(message);
    Q_EMIT configReloaded(true, message);
}

bool Gateway::reconfigure(const GatewayConfig &incoming, QString *error)
{
    GatewayConfig next = incoming;
    if (next.dataDir.isEmpty())
        next.dataDir = m_config.dataDir;
    // Everything that can fail first, so a refusal changes nothing.
    std::optional<PriceTable> prices = PriceTable::bundled().withOverrides(next.pricing, error);
    if (!prices) {
        *error = QStringLiteral("pricing: ") + *error;
        return false;
    }
    if (next.simulatorServesAll() && !m_simulator && !startSimulator(error))
        return false;
    if (m_client && !m_client->setNetwork(effectiveNetwork(next), error)) {
        *error = QStringLiteral("proxy or tls: ") + *error;
        return false;
    }

    const QStringList before = [this] {
        QStringList names;
        for (const UpstreamConfig &u : m_config.upstreams)
            names << u.name;
        return names;
    }();
    // The new table for new exchanges; those in flight hold the old one until they end.
    m_prices = std::make_shared<const PriceTable>(std::move(*prices));
    m_services.prices = m_prices;
    m_services.defaultMaxTokens = next.defaultMaxTokens;
    m_services.retry = RetryPolicy(next.retry);
    m_router.setUpstreams(next.upstreams);
    m_guard = RequestGuard({m_config.listenHost, next.allowedHosts, next.allowedOrigins});
    m_loops.setConfig(next.loopDetection);
    if (m_server)
        m_server->setLimits(next.limits);
    // Budgets and rate limits only when the file has them: otherwise those saved by the admin
    // API stay in force, as at start. Unchanged rules are left alone (their windows run on).
    if (next.hasBudgets && next.budgets != m_ledger.rules())
        m_ledger.setRules(next.budgets);
    if (next.hasRateLimits && next.rateLimits != m_rates.rules())
        m_rates.setRules(next.rateLimits);
    for (const QString &w : std::as_const(next.warnings))
        if (!m_config.warnings.contains(w))
            Q_EMIT logLine(QStringLiteral("config: ") + w);
    m_config = next;
    configureGate();
    if (m_admin)
        m_admin->setConfigState(m_config.hasBudgets, m_config.hasRateLimits);

    QStringList after, added;
    for (const UpstreamConfig &u : m_config.upstreams) {
        after << u.name;
        if (!before.contains(u.name))
            added << u.name;
    }
    QStringList removed;
    for (const QString &name : before)
        if (!after.contains(name))
            removed << name;
    if (!added.isEmpty())
        Q_EMIT logLine(QStringLiteral("upstreams added: ") + added.join(QLatin1String(", ")));
    if (!removed.isEmpty())
        Q_EMIT logLine(QStringLiteral("upstreams removed: ") + removed.join(QLatin1String(", ")));
    publish();
    return true;
}

bool Gateway::loadBudgetState(QString *error)
{
    const StoreStartupState state = m_store->recoverAndLoad(QDateTime::currentMSecsSinceEpoch(), error);
    if (!error->isEmpty())
        return false;
    if (state.reservationsSettledAtWorst > 0)
        Q_EMIT logLine(QStringLiteral("%1 request(s) were in flight when TokenFuse last stopped without settling; "
                                      "their reservations were charged at their worst case (rows marked 'interrupted')")
                           .arg(state.reservationsSettledAtWorst));
    // The config file's budgets win when it has any; otherwise the rules last saved by the admin API.
    QList<BudgetRule> rules = m_config.budgets;
    if (!m_config.hasBudgets && state.hasBudgetRules) {
        std::optional<QList<BudgetRule>> saved = BudgetRule::listFromJson(state.budgetRules, error);
        if (!saved) {
            *error = QStringLiteral("budgets saved in %1: %2").arg(m_store->databasePath(), *error);
            return false;
        }
        rules = *saved;
    }
    m_ledger.setRules(rules);
    m_ledger.restore(state.counters);
    m_ledger.setAlertCallback([this](const BudgetAlert &a) {
        Q_EMIT logLine(QStringLiteral("budget alert: ") + a.message);
        Q_EMIT budgetAlert(a.rule.displayName(), a.subject, a.fraction, a.message);
    });
    // Likewise for the rate limits.
    QList<RateLimitRule> limits = m_config.rateLimits;
    if (!m_config.hasRateLimits && state.hasRateLimits) {
        std::optional<QList<RateLimitRule>> saved = RateLimitRule::listFromJson(state.rateLimits, error);
        if (!saved) {
            *error = QStringLiteral("rate limits saved in %1: %2").arg(m_store->databasePath(), *error);
            return false;
        }
        limits = *saved;
    }
    m_rates.setRules(limits);
    m_keys.load(state.keys);
    // Tripped and killed sessions stay so across a restart; a cooldown that ran out meanwhile
    // closes at the first publish.
    m_breakers.restore(state.blocks);
    for (const SessionBlock &b : state.blocks)
        Q_EMIT logLine(QStringLiteral("%1 %2 is still blocked since %3: %4")
                           .arg(SessionBlock::scopeName(b.scope), b.target.isEmpty() ? QStringLiteral("(all)") : b.target,
                                QDateTime::fromMSecsSinceEpoch(b.sinceMs).toString(Qt::ISODate), b.reason.isEmpty() ? b.signal : b.reason));
    seedSessions();
    error->clear();
    return true;
}

void Gateway::seedSessions()
{
    // The sessions of the last day, with what they spent in it, so the console and the admin
    // API don't start from nothing after a restart; GET /admin/v1/sessions/{id} adds all time.
    UsageQuery query;
    QString error;
    if (!query.open(m_store->databasePath(), &error)) {
        Q_EMIT logLine(QStringLiteral("sessions of the last day not read: ") + error);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_book.seed(query.sessionTotals(now - 24 * 3600 * 1000, 1000));
    // The console's request log and today's spend carry on from where the last run left them.
    QList<UsageRecord> recent = query.recent(GatewaySnapshot::MaxRecorded);
    std::reverse(recent.begin(), recent.end());
    m_totals.seedRecent(recent);
    const qint64 midnight = QDateTime::fromMSecsSinceEpoch(now).date().startOfDay().toMSecsSinceEpoch();
    m_totals.seedToday(midnight, query.totals(midnight, now + 1).cost);
    // The loop detector's velocity baseline: what each session sent in the minutes before the
    // restart, so a steady service is not taken for a new one bursting. Spread over the time it
    // was there, not the whole baseline, or a service begun a minute ago reads five times slower.
    const qint64 baselineMs = qint64(m_config.loopDetection.defaults.velocityBaseline) * 1000;
    if (baselineMs > 0)
        for (const SessionTotalsRecord &t : query.sessionTotals(now - baselineMs, 1000))
            m_loops.seedHistory(t.session, t.tenant, t.requests, qMax(now - baselineMs, t.firstSeenMs), now);
}

void Gateway::setClock(const BudgetClock *clock)
{
    m_ledger.setClock(clock);
    m_rates.setClock(clock);
}

bool Gateway::applyVirtualKey(CallerIdentity *caller) const
{
    if (!VirtualKeyRegistry::isVirtualKey(caller->clientKey))
        return true;
    const std::optional<VirtualKeyRecord> key = m_keys.lookup(caller->clientKey);
    if (!key)
        return false;
    // A virtual key names its tenant, whatever X-Tenant-ID says, and never travels upstream.
    caller->tenant = key->tenant;
    caller->clientKey.clear();
    caller->keyFingerprint = QStringLiteral("virtual:") + key->id;
    if (key->priority != 0)
        caller->tier = key->priority;
    return true;
}

void Gateway::identify(const HttpRequest &request, HttpResponder *responder, std::function<void(const CallerIdentity &)> proceed)
{
    CallerIdentity caller = m_callers.resolve(request);
    if (!applyVirtualKey(&caller)) {
        respondError(request, responder, int(Dialect::Error::Unauthorized), QStringLiteral("invalid_api_key"),
                     QStringLiteral("Unknown or revoked TokenFuse key %1…; create one with POST /admin/v1/keys.")
                         .arg(QString::fromLatin1(caller.clientKey.left(7))));
        return;
    }
    if (!caller.needsPeerLookup) {
        if (caller.processUnknown)
            nameProcess(request, caller.session);
        CallerResolver::settle(&caller);
        if (passesBreakers(request, responder, caller))
            proceed(caller);
        return;
    }
    if (!m_peers)
        m_peers = new PeerProcessFinder(this);
    const quint64 connection = request.connectionId;
    QPointer<HttpResponder> alive(responder);
    m_peers->find(request.peerPort, request.localPort, [this, request, caller, connection, alive, proceed](const QString &peer) mutable {
        m_callers.rememberPeer(connection, peer);
        if (!alive)
            return; // the client left while its process was being looked up
        caller.session = peer;
        caller.process = peer;
        CallerResolver::settle(&caller);
        if (passesBreakers(request, alive, caller))
            proceed(caller);
    });
}

void Gateway::nameProcess(const HttpRequest &request, const QString &session)
{
    if (!m_peers)
        m_peers = new PeerProcessFinder(this);
    const quint64 connection = request.connectionId;
    m_peers->find(request.peerPort, request.localPort, [this, connection, session](const QString &peer) {
        m_callers.rememberPeer(connection, peer);
        m_book.noteProcess(session, peer);
    });
}

bool Gateway::startSimulator(QString *error)
{
    m_simulatorThread.setObjectName(QStringLiteral("tokenfuse-simulator"));
    m_simulatorThread.start();
    bool ok = false;
    QString why;
    QObject context;
    context.moveToThread(&m_simulatorThread);
    const SimulatorProfile profile = m_config.simulator;
    QMetaObject::invokeMethod(&context, [&] {
        m_simulator = new SimulatorServer;
        m_simulator->setProfile(profile);
        ok = m_simulator->listen(QHostAddress::LocalHost, 0, &why);
        m_simulatorPort = m_simulator->port();
        context.moveToThread(nullptr); // from its own thread, so it can die on this one
    }, Qt::BlockingQueuedConnection);
    if (!ok) {
        *error = QStringLiteral("the built-in simulator could not start: ") + why;
        return false;
    }
    m_simulatorUpstream.name = QStringLiteral("simulator");
    m_simulatorUpstream.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_simulatorPort));
    m_simulatorUpstream.builtInSimulator = true;
    return true;
}

QString Gateway::listenAddress() const
{
    if (!m_server)
        return {};
    return QStringLiteral("%1:%2").arg(m_server->serverAddress().toString()).arg(m_server->serverPort());
}

quint16 Gateway::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString Gateway::databasePath() const
{
    return m_store ? m_store->databasePath() : QString();
}

void Gateway::respondError(const HttpRequest &request, HttpResponder *responder, int dialectError, const QString &kind,
                           const QString &message, const HttpHeaders &extra)
{
    const auto error = Dialect::Error(dialectError);
    UsageRecord row;
    row.id = RequestId::next();
    row.startedAt = QDateTime::currentMSecsSinceEpoch();
    row.endedAt = row.startedAt;
    row.status = AgentRefusal::statusFor(request, Dialect::statusOf(error));
    row.error = kind;
    row.attempts = 0; // refused before any attempt upstream
    row.endpoint = QString::fromUtf8(request.path);
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    row.model = body.value(QLatin1String("model")).toString();
    row.stream = body.value(QLatin1String("stream")).toBool();
    // Who called, as far as the headers tell without waiting for /proc: a refusal is not worth a lookup.
    CallerIdentity caller = m_callers.resolve(request);
    applyVirtualKey(&caller);
    CallerResolver::settle(&caller);
    row.tenant = caller.tenant;
    row.session = caller.session;
    row.keyFingerprint = caller.keyFingerprint;

    HttpHeaders h = extra;
    h.add("content-type", "application/json");
    // PRODUCT.md's table: 429 and 503 are worth retrying, every other refusal is final. The SDKs
    // would retry 408, 409, 429 and 5xx on their own and nothing else; saying so on every 4xx
    // is clearer and stops agents with retry loops of their own (a 401 retried for minutes).
    if (!h.contains("x-should-retry")) {
        if (row.status == 429 || row.status == 503)
            h.add("x-should-retry", "true");
        else if (row.status >= 400 && row.status < 500)
            h.add("x-should-retry", "false");
    }
    if (row.status != Dialect::statusOf(error))
        h.add("x-tokenfuse-status", QByteArray::number(Dialect::statusOf(error)));
    h.add("x-tokenfuse-request-id", row.id.toUtf8());
    h.add("x-tokenfuse-session", row.session.toUtf8());
    responder->respond(row.status, h, Dialect::forPath(request.path).errorBody(error, message));
    // Nothing was spent: the row is for the history and the console, so the answer need not wait.
    onRecorded(row);
    if (m_store)
        m_store->record(row);
}

void Gateway::handle(const HttpRequest &received, HttpResponder *responder)
{
    // Who may ask, and where the path really leads, before anything reads or routes the request.
    const auto refuse = [&](Dialect::Error error, const QString &message) {
        HttpHeaders h;
        h.add("content-type", "application/json");
        if (error == Dialect::Error::ForbiddenOrigin)
            h.add("x-should-retry", "false");
        const QByteArray body = AdminApi::isAdminPath(received.path)
            ? AdminApi::errorBody(error == Dialect::Error::ForbiddenOrigin ? QStringLiteral("forbidden_origin") : QStringLiteral("invalid_request_error"), message)
            : Dialect::forPath(received.path).errorBody(error, message);
        responder->respond(Dialect::statusOf(error), h, body);
    };
    if (const std::optional<RequestGuard::Refusal> no = m_guard.check(received))
        return refuse(no->error, no->message);
    QString why;
    const std::optional<QByteArray> resolved = UrlPath::normalise(received.path, &why);
    if (!resolved)
        return refuse(Dialect::Error::InvalidRequest, why);
    if (UrlPath::firstSegment(*resolved) != UrlPath::firstSegment(received.path) || (received.path.startsWith("/v1/") && !resolved->startsWith("/v1/")))
        return refuse(Dialect::Error::InvalidRequest, QStringLiteral("The path %1 leads outside %2 once its dot segments are resolved.")
                                                          .arg(QString::fromUtf8(received.path), QString::fromUtf8("/" + UrlPath::firstSegment(received.path) + "/")));
    std::optional<HttpRequest> normalised;
    if (*resolved != received.path) {
        normalised = received;
        normalised->path = *resolved;
        normalised->target = received.query.isEmpty() ? *resolved : *resolved + '?' + received.query;
    }
    m_routes.dispatch(normalised ? *normalised : received, responder);
}

void Gateway::registerRoutes()
{
    using namespace std::placeholders;
    // Every method: /admin/ answers its own 404s and 405s, /healthz has always answered any method.
    m_routes.addPrefix(RouteTable::AnyMethod, "/admin/", [this](const HttpRequest &r, HttpResponder *out) { m_admin->handle(r, AdminReply::toResponder(out)); });
    m_routes.addExact(RouteTable::AnyMethod, "/healthz", std::bind(&Gateway::handleHealth, this, _1, _2));
    // Prometheus scrapes: open like /healthz (docs/metrics.md says why). Any other method gets a
    // 405 of its own, without a row: a scrape is not an API request.
    m_routes.addExact("GET", "/metrics", std::bind(&Gateway::handleMetrics, this, _1, _2));
    m_routes.addExact(RouteTable::AnyMethod, "/metrics", [](const HttpRequest &, HttpResponder *out) {
        HttpHeaders h;
        h.add("allow", "GET");
        h.add("content-type", "text/plain; charset=utf-8");
        out->respond(405, h, "GET /metrics only.\n");
    });
    // The paths Dialect::forEndpoint knows (the assert catches a name spelled differently here).
    for (const QByteArray path : {"/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/embeddings", "/v1/completions"}) {
        const Dialect *metered = Dialect::forEndpoint(path);
        Q_ASSERT(metered);
        m_routes.addExact("POST", path, [this, metered](const HttpRequest &r, HttpResponder *out) { handleChat(r, out, *metered); });
    }
    // Only the metered endpoints take one method alone; their 405 is a refusal with a row.
    m_routes.setMethodNotAllowed([this](const HttpRequest &r, HttpResponder *out, const QByteArray &allow) {
        HttpHeaders h;
        h.add("allow", allow);
        respondError(r, out, int(Dialect::Error::MethodNotAllowed), QStringLiteral("method_not_allowed"),
                     QStringLiteral("%1 takes %2, not %3.").arg(QString::fromUtf8(r.path), QString::fromUtf8(allow), QString::fromUtf8(r.method)), h);
    });
    m_routes.addExact("GET", "/v1/models", std::bind(&Gateway::handleModels, this, _1, _2));
    // Any other method on /v1/models goes upstream like the rest of /v1/.
    m_routes.addExact(RouteTable::AnyMethod, "/v1/models", std::bind(&Gateway::handlePassthrough, this, _1, _2));
    m_routes.addPrefix(RouteTable::AnyMethod, "/v1/", std::bind(&Gateway::handlePassthrough, this, _1, _2));
    m_routes.setFallback([this](const HttpRequest &r, HttpResponder *out) {
        respondError(r, out, int(Dialect::Error::NotFound), QStringLiteral("not_found"),
                     QStringLiteral("Nothing at %1. TokenFuse serves the OpenAI and Anthropic APIs under /v1/.").arg(QString::fromUtf8(r.path)));
    });
}

void Gateway::handleHealth(const HttpRequest &, HttpResponder *responder)
{
    HttpHeaders h;
    h.add("content-type", "application/json");
    QJsonObject body{{"status", "ok"}, {"version", TOKENFUSE_VERSION}, {"in_flight", inFlight()},
                     {"simulator", m_config.simulatorServesAll()}};
    if (!m_store->isWritable()) {
        body.insert("status", "degraded");
        body.insert("store", m_store->failure());
        h.add("retry-after", "5");
    }
    responder->respond(m_store->isWritable() ? 200 : 503, h, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

MetricsGauges Gateway::metricsGauges()
{
    MetricsGauges g;
    g.inFlight = inFlight();
    g.openConnections = m_server ? m_server->connectionCount() : 0;
    g.storeWritable = m_store && m_store->isWritable();
    g.sessionsByState = m_book.countByState(m_breakers, QDateTime::currentMSecsSinceEpoch());
    g.stoppedAll = m_breakers.stoppedAll();
    g.budgets = BudgetGauge::fromUsage(m_ledger.usage());
    if (m_config.simulatorServesAll())
        g.upstreams << UpstreamGauge{m_simulatorUpstream.name, QStringLiteral("any")}; // it answers both dialects
    else
        for (const UpstreamView &v : upstreamViews()) // with the gate's queue and limit in force
            g.upstreams << UpstreamGauge{v.name, v.dialect, v.breaker, v.inFlight, v.queued, v.limit};
    return g;
}

void Gateway::handleMetrics(const HttpRequest &, HttpResponder *responder)
{
    HttpHeaders h;
    h.add("content-type", "text/plain; version=0.0.4; charset=utf-8");
    responder->respond(200, h, m_metrics.render(metricsGauges()));
}

UpstreamRouter::Pick Gateway::route(const QString &model, ApiDialect api)
{
    if (m_config.simulatorServesAll()) {
        UpstreamRouter::Pick pick;
        pick.upstream = m_simulatorUpstream;
        pick.candidates = 1;
        return pick;
    }
    UpstreamRouter::Pick pick = m_router.pick(model, api, QDateTime::currentMSecsSinceEpoch(), QRandomGenerator::global()->generateDouble());
    announceBreakerChanges();
    return pick;
}

void Gateway::refuseUnavailable(const HttpRequest &request, HttpResponder *responder, const QString &model, const UpstreamRouter::Pick &pick)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 waitS = pick.retryAtMs > now ? (pick.retryAtMs - now + 999) / 1000 : 1;
    HttpHeaders h;
    h.add("retry-after", QByteArray::number(waitS));
    h.add("retry-after-ms", QByteArray::number(std::max<qint64>(1000, pick.retryAtMs - now)));
    respondError(request, responder, int(Dialect::Error::UpstreamUnavailable), QStringLiteral("upstream_unavailable"),
                 QStringLiteral("No healthy upstream for model '%1': %2. TokenFuse tries again in %3 s; retry then.")
                     .arg(model, pick.why).arg(waitS), h);
}

void Gateway::announceBreakerChanges()
{
    for (const UpstreamTransitionView &t : m_router.takeTransitions()) {
        const QString what = t.model.isEmpty() ? QStringLiteral("upstream %1").arg(t.upstream)
                                               : QStringLiteral("upstream %1, model %2").arg(t.upstream, t.model);
        Q_EMIT logLine(QStringLiteral("%1: breaker %2 -> %3: %4").arg(what, t.from, t.to, t.reason));
        m_transitionsSincePublish.append(t);
        if (m_transitionsSincePublish.size() > GatewaySnapshot::MaxTransitions)
            m_transitionsSincePublish.removeFirst();
        Q_EMIT upstreamBreakerChanged(t);
    }
}

QList<UpstreamView> Gateway::upstreamViews()
{
    if (m_config.simulatorServesAll())
        return {};
    QList<UpstreamView> views = m_router.views(QDateTime::currentMSecsSinceEpoch());
    for (UpstreamView &v : views) {
        v.limit = m_gate.limit(v.name);
        v.queued = m_gate.queued(v.name);
    }
    return views;
}

void Gateway::handleChat(const HttpRequest &request, HttpResponder *responder, const Dialect &dialect)
{
    const ApiDialect api = dialect.id();
    QString why;
    std::optional<ChatRequest> chat = dialect.parseRequest(request.body, &why);
    if (!chat)
        return respondError(request, responder, int(Dialect::Error::InvalidRequest), QStringLiteral("invalid_request"), why);
    if (!m_config.simulatorServesAll() && !m_router.serves(chat->model, api)) {
        QStringList names;
        for (const UpstreamConfig &u : m_config.upstreams)
            names << QStringLiteral("%1 (%2: %3)").arg(u.name, dialectName(u.dialect),
                                                       u.models.isEmpty() ? QStringLiteral("every model") : u.models.join(QLatin1String(", ")));
        return respondError(request, responder, int(Dialect::Error::NotFound), QStringLiteral("not_found"),
                            QStringLiteral("No upstream serves model '%1' in the %2 dialect. Configured: %3. Add the model to an upstream's \"models\" in config.json.")
                                .arg(chat->model, dialectName(api), names.join(QLatin1String("; "))));
    }
    QPointer<HttpResponder> alive(responder);
    identify(request, responder, [this, request, alive, &dialect, chat = std::move(chat)](const CallerIdentity &caller) mutable {
        if (!passesLoopDetector(request, alive, caller, *chat))
            return;
        // Who is calling first (a 401 is a 401 whatever the upstreams' health), then where it goes.
        UpstreamRouter::Pick pick = route(chat->model, dialect.id());
        QString fallbackFrom;
        if (!pick.upstream) {
            // Every upstream of the model is down: its fallback models, in order.
            for (const QString &fallback : m_config.modelFallbacks.value(chat->model)) {
                UpstreamRouter::Pick other = route(fallback, dialect.id());
                if (other.upstream) {
                    Q_EMIT logLine(QStringLiteral("model %1: every upstream is down; %2 answers instead").arg(chat->model, fallback));
                    fallbackFrom = chat->model;
                    chat->model = fallback;
                    pick = other;
                    break;
                }
            }
        }
        if (!pick.upstream)
            return refuseUnavailable(request, alive, chat->model, pick);
        const UpstreamConfig target = *pick.upstream;
        auto go = [this, request, alive, &dialect, chat = std::move(chat), target, caller, fallbackFrom]() mutable {
            auto *exchange = new ProxyExchange(m_services, request, alive, dialect, std::move(chat), target, caller, this);
            if (!fallbackFrom.isEmpty())
                exchange->setFallbackFrom(fallbackFrom);
            launch(exchange);
            return exchange;
        };
        admit(request, alive, target.name, caller.tier.value_or(m_config.tierOf(caller.tenant)), std::move(go));
    });
}

void Gateway::admit(const HttpRequest &request, QPointer<HttpResponder> alive, const QString &upstream, int tier,
                    std::function<ProxyExchange *()> go)
{
    if (!alive)
        return;
    auto shared = std::make_shared<std::function<ProxyExchange *()>>(std::move(go));
    // Runs once the request holds a slot: the slot is given back when its exchange ends.
    const auto start = [this, alive, upstream, shared] {
        if (!alive) {
            m_gate.leave(upstream); // its client left while it waited
            return;
        }
        ProxyExchange *exchange = (*shared)();
        // The slot follows the request when it fails over, and is given back where it ends.
        auto holds = std::make_shared<QString>(upstream);
        connect(exchange, &ProxyExchange::failedOver, this, [this, holds](const QString &, const QString &to) {
            m_gate.takeOver(to);
            m_gate.leave(std::exchange(*holds, to));
        });
        connect(exchange, &QObject::destroyed, this, [this, holds] { m_gate.leave(*holds); });
    };
    const auto refuse = [this, request, alive, upstream](const QString &why) {
        if (!alive)
            return;
        HttpHeaders h;
        h.add("retry-after", "1");
        h.add("retry-after-ms", "1000");
        h.add("x-tokenfuse-upstream", upstream.toUtf8());
        respondError(request, alive, int(Dialect::Error::UpstreamUnavailable), QStringLiteral("upstream_busy"),
                     QStringLiteral("TokenFuse is holding requests back so the provider is not overrun: %1. Retry in a moment.").arg(why), h);
    };
    quint64 ticket = 0;
    QString why;
    switch (m_gate.enter(upstream, tier, QDateTime::currentMSecsSinceEpoch(), start, refuse, &ticket, &why)) {
    case UpstreamGate::Entry::Admitted:
        start();
        return;
    case UpstreamGate::Entry::Queued:
        // A client that leaves while waiting gives its place back at once.
        connect(alive.data(), &QObject::destroyed, this, [this, upstream, ticket] { m_gate.cancel(upstream, ticket); });
        return;
    case UpstreamGate::Entry::Refused:
        refuse(why);
        return;
    }
}

void Gateway::configureGate()
{
    QHash<QString, UpstreamGate::Settings> lanes;
    for (const UpstreamConfig &u : std::as_const(m_config.upstreams))
        lanes.insert(u.name, {u.maxConcurrency, u.maxQueue, u.queueTimeoutMs});
    m_gate.configure(lanes);
}

void Gateway::handlePassthrough(const HttpRequest &request, HttpResponder *responder)
{
    const ApiDialect api = request.path.startsWith("/v1/messages") ? ApiDialect::Anthropic : ApiDialect::OpenAi;
    const QString model = QJsonDocument::fromJson(request.body).object().value(QLatin1String("model")).toString();
    UpstreamRouter::Pick pick = route(model, api);
    if (!pick.upstream && pick.candidates > 0)
        return identify(request, responder, [this, request, alive = QPointer<HttpResponder>(responder), model, pick](const CallerIdentity &) {
            refuseUnavailable(request, alive, model, pick);
        });
    if (!pick.upstream && model.isEmpty()) {
        for (const UpstreamConfig &u : m_config.upstreams) {
            if (u.dialect == api && u.enabled) {
                pick.upstream = u;
                break;
            }
        }
    }
    if (!pick.upstream)
        return respondError(request, responder, int(Dialect::Error::NotFound), QStringLiteral("not_found"),
                            QStringLiteral("No %1 upstream to forward %2 to.").arg(dialectName(api), QString::fromUtf8(request.path)));
    const UpstreamConfig target = *pick.upstream;
    QPointer<HttpResponder> alive(responder);
    identify(request, responder, [this, request, alive, api, target](const CallerIdentity &caller) {
        // Through the upstream's concurrency limit like the metered endpoints: it is the same provider.
        admit(request, alive, target.name, caller.tier.value_or(m_config.tierOf(caller.tenant)), [this, request, alive, api, target, caller] {
            auto *exchange = new ProxyExchange(m_services, request, alive, Dialect::forApi(api), std::nullopt, target, caller, this);
            launch(exchange);
            return exchange;
        });
    });
}

void Gateway::handleModels(const HttpRequest &request, HttpResponder *responder)
{
    for (const UpstreamConfig &u : m_config.upstreams) {
        if (!m_config.simulatorServesAll() && u.dialect != ApiDialect::OpenAi)
            continue;
        return handlePassthrough(request, responder);
    }
    if (m_config.simulatorServesAll()) {
        QPointer<HttpResponder> alive(responder);
        return identify(request, responder, [this, request, alive](const CallerIdentity &caller) {
            launch(new ProxyExchange(m_services, request, alive, Dialect::forApi(ApiDialect::OpenAi), std::nullopt,
                                     m_simulatorUpstream, caller, this));
        });
    }
    // Only Anthropic upstreams: list the model names the config spells out.
    QJsonArray data;
    for (const UpstreamConfig &u : m_config.upstreams) {
        for (const QString &m : u.models) {
            if (!m.contains(QLatin1Char('*')) && !m.contains(QLatin1Char('?')))
                data.append(QJsonObject{{"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", u.name}});
        }
    }
    HttpHeaders h;
    h.add("content-type", "application/json");
    responder->respond(200, h, QJsonDocument(QJsonObject{{"object", "list"}, {"data", data}}).toJson(QJsonDocument::Compact));
}

void Gateway::launch(ProxyExchange *exchange)
{
    m_book.noteRequest(exchange->session(), exchange->tenant(), exchange->process(), exchange->model(), exchange->promptPreview(),
                       QDateTime::currentMSecsSinceEpoch());
    m_registry.add(exchange);
    exchange->start();
}

bool Gateway::passesBreakers(const HttpRequest &request, HttpResponder *responder, const CallerIdentity &caller)
{
    const std::optional<SessionBlock> block = m_breakers.blocking(caller.session, caller.tenant, QDateTime::currentMSecsSinceEpoch());
    if (!block)
        return true;
    respondError(request, responder, int(Dialect::Error::SessionBlocked), QStringLiteral("session_blocked"),
                 SessionBreakers::refusalMessage(*block, caller.session));
    return false;
}

bool Gateway::passesLoopDetector(const HttpRequest &request, HttpResponder *responder, const CallerIdentity &caller, const ChatRequest &chat)
{
    LoopRequest seen;
    seen.session = caller.session;
    seen.tenant = caller.tenant;
    seen.atMs = QDateTime::currentMSecsSinceEpoch();
    seen.endpoint = request.path;
    seen.body = chat.body;
    const std::optional<LoopTrip> trip = m_loops.observeRequest(seen);
    if (!trip)
        return true;
    onLoopTrip(*trip);
    // The request that showed the loop is the first one refused.
    return passesBreakers(request, responder, caller);
}

void Gateway::onLoopTrip(const LoopTrip &trip)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QString &session : trip.sessions) {
        if (trip.warnOnly) {
            Q_EMIT logLine(QStringLiteral("loop detector (warn only): session %1: %2").arg(session, trip.evidence));
            continue;
        }
        SessionBlock block;
        block.scope = SessionBlock::Scope::Session;
        block.target = session;
        block.killed = false;
        block.signal = trip.signal;
        block.reason = trip.evidence;
        block.actor = QStringLiteral("loop-detector");
        block.sinceMs = now;
        block.untilMs = trip.cooldownSeconds > 0 ? now + qint64(trip.cooldownSeconds) * 1000 : 0;
        block.costAtTripMicros = m_book.costOf(session);
        const int ended = openBreaker(block, QStringLiteral("sessions.trip"));
        Q_EMIT logLine(QStringLiteral("loop detector tripped session %1 (%2): %3; %4 request(s) in flight ended")
                           .arg(session, trip.signal, trip.evidence).arg(ended));
    }
    Q_EMIT sessionTripped(trip.sessions, trip.signal, trip.evidence, trip.warnOnly);
}

int Gateway::openBreaker(SessionBlock block, const QString &action)
{
    const std::optional<SessionBlock> before = [&]() -> std::optional<SessionBlock> {
        for (const SessionBlock &b : m_breakers.all())
            if (b.sameKey(block))
                return b;
        return std::nullopt;
    }();
    m_breakers.set(block);
    if (block.killed)
        m_metrics.noteKill(SessionBlock::scopeName(block.scope));
    else
        m_metrics.noteTrip(block.signal);
    const QString message = SessionBreakers::refusalMessage(block, block.target);
    int ended = 0;
    switch (block.scope) {
    case SessionBlock::Scope::Session:
        ended = m_registry.cancelSession(block.target, Dialect::Error::SessionBlocked, message, QStringLiteral("session_blocked"));
        break;
    case SessionBlock::Scope::Tenant:
        ended = m_registry.cancelTenant(block.target, Dialect::Error::SessionBlocked, message, QStringLiteral("session_blocked"));
        break;
    case SessionBlock::Scope::All:
        ended = m_registry.cancelEvery(Dialect::Error::SessionBlocked, message, QStringLiteral("session_blocked"));
        break;
    }
    // The spend at the block includes what the requests just ended had streamed: each was billed
    // (its row handed to the session book) as it was cancelled.
    if (block.scope != SessionBlock::Scope::All) {
        block.costAtTripMicros = block.scope == SessionBlock::Scope::Session ? m_book.costOf(block.target) : m_book.costOfTenant(block.target);
        m_breakers.set(block);
    }
    if (m_store) {
        AuditEntry entry;
        entry.at = block.sinceMs;
        entry.actor = block.actor;
        entry.action = action;
        entry.target = block.target.isEmpty() ? SessionBlock::scopeName(block.scope) : block.target;
        entry.before = before ? QJsonValue(SessionBreakers::toJson(*before)) : QJsonValue();
        entry.after = SessionBreakers::toJson(block);
        // In force already: a store that cannot write only means a restart would forget it.
        m_store->saveBlock(block, entry, [this, block](const StoreOutcome &outcome) {
            if (!outcome.committed())
                Q_EMIT logLine(QStringLiteral("the %1 block of %2 is in force but not saved: %3")
                                   .arg(SessionBlock::scopeName(block.scope), block.target, outcome.error));
        });
    }
    return ended;
}

void Gateway::expireBreakers()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<SessionBlock> expired = m_breakers.takeExpired(now);
    for (const SessionBlock &b : expired) {
        Q_EMIT logLine(QStringLiteral("session %1: its cooldown ran out; requests go through again").arg(b.target));
        if (b.scope == SessionBlock::Scope::Session) {
            m_loops.forget(b.target);
        }
        if (m_store) {
            AuditEntry entry;
            entry.at = now;
            entry.actor = QStringLiteral("cooldown");
            entry.action = QStringLiteral("%1s.reset").arg(SessionBlock::scopeName(b.scope));
            entry.target = b.target;
            entry.before = SessionBreakers::toJson(b);
            m_store->clearBlocks({b}, entry);
        }
    }
}

SessionCommandResult Gateway::execute(const SessionCommand &command, const QString &actor)
{
    using A = SessionCommand::Action;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool needsTarget = command.action != A::StopAll && command.action != A::ResumeAll;
    if (needsTarget && command.target.isEmpty())
        return {false, 0, QStringLiteral("Say which session or tenant.")};
    SessionBlock block;
    block.actor = actor;
    block.sinceMs = now;
    block.reason = command.reason;
    block.target = command.target;
    const auto resume = [&](SessionBlock::Scope scope, const QString &what) -> SessionCommandResult {
        const std::optional<SessionBlock> was = m_breakers.clear(scope, command.target);
        if (!was)
            return {true, 0, QStringLiteral("%1 was not blocked.").arg(what)};
        if (scope == SessionBlock::Scope::Session) {
            m_loops.forget(command.target);
        }
        if (m_store) {
            AuditEntry entry;
            entry.at = now;
            entry.actor = actor;
            entry.action = QStringLiteral("%1.resume").arg(scope == SessionBlock::Scope::All ? QStringLiteral("all") : SessionBlock::scopeName(scope) + QLatin1Char('s'));
            entry.target = command.target.isEmpty() ? QStringLiteral("all") : command.target;
            entry.before = SessionBreakers::toJson(*was);
            m_store->clearBlocks({*was}, entry, [this, what](const StoreOutcome &outcome) {
                if (!outcome.committed())
                    Q_EMIT logLine(QStringLiteral("%1 is resumed but that is not saved: %2").arg(what, outcome.error));
            });
        }
        Q_EMIT logLine(QStringLiteral("%1 resumed by %2").arg(what, actor));
        return {true, 0, QStringLiteral("%1 resumed.").arg(what)};
    };
    switch (command.action) {
    case A::KillSession:
    case A::KillTenant: {
        const bool session = command.action == A::KillSession;
        block.scope = session ? SessionBlock::Scope::Session : SessionBlock::Scope::Tenant;
        block.signal = QStringLiteral("kill");
        block.costAtTripMicros = session ? m_book.costOf(command.target) : m_book.costOfTenant(command.target);
        const QString noun = SessionBlock::scopeName(block.scope);
        const int ended = openBreaker(block, noun + QStringLiteral("s.kill"));
        Q_EMIT logLine(QStringLiteral("%1 %2 killed by %3; %4 request(s) in flight ended").arg(noun, command.target, actor).arg(ended));
        return {true, ended, QStringLiteral("Killed %1 %2: %3 request(s) in flight ended.").arg(noun, command.target).arg(ended)};
    }
    case A::StopAll: {
        block.scope = SessionBlock::Scope::All;
        block.target.clear();
        block.signal = QStringLiteral("stop_all");
        const int ended = openBreaker(block, QStringLiteral("all.stop"));
        Q_EMIT logLine(QStringLiteral("stop-all by %1: every request is refused; %2 request(s) in flight ended").arg(actor).arg(ended));
        return {true, ended, QStringLiteral("Stopped everything: %1 request(s) in flight ended; new requests get 403 until resume-all.").arg(ended)};
    }
    case A::ResumeSession: return resume(SessionBlock::Scope::Session, QStringLiteral("Session %1").arg(command.target));
    case A::ResumeTenant: return resume(SessionBlock::Scope::Tenant, QStringLiteral("Tenant %1").arg(command.target));
    case A::ResumeAll: return resume(SessionBlock::Scope::All, QStringLiteral("Everything"));
    }
    return {false, 0, QStringLiteral("Unknown command.")};
}

QList<SessionView> Gateway::sessionViews(int limit) const
{
    const auto inFlight = [this](const QString &session) { return m_registry.inFlightOfSession(session); };
    return m_book.views(m_breakers, inFlight, QDateTime::currentMSecsSinceEpoch(), limit);
}

std::optional<SessionView> Gateway::sessionView(const QString &id) const
{
    const auto inFlight = [this](const QString &session) { return m_registry.inFlightOfSession(session); };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (std::optional<SessionView> v = m_book.view(id, m_breakers, inFlight, now))
        return v;
    // Not seen since the start (nor in the day before it), but blocked: still a session to show.
    const std::optional<SessionBlock> block = m_breakers.sessionBlock(id, now);
    if (!block)
        return std::nullopt;
    SessionView v;
    v.id = id;
    v.state = block->killed ? SessionView::State::Killed : SessionView::State::Tripped;
    v.reason = block->reason;
    v.stateSinceMs = block->sinceMs;
    v.costAtTripMicros = block->costAtTripMicros;
    v.blockedBy = SessionView::BlockedBy::Session;
    return v;
}

void Gateway::onRecorded(const UsageRecord &row)
{
    m_totals.add(row);
    m_book.noteRecorded(row);
    if (row.promptTokens + row.completionTokens > 0 && !row.session.isEmpty()) {
        if (const std::optional<LoopTrip> trip = m_loops.observeSpend(row.session, row.tenant, row.promptTokens + row.completionTokens,
                                                                     row.costMicros, row.endedAt))
            onLoopTrip(*trip);
    }
    m_metrics.observe(row);
    Q_EMIT requestRecorded(row);
}

void Gateway::admin(const AdminCall &call, const QString &actor, std::function<void(const AdminAnswer &)> done)
{
    m_admin->handle(call, actor, AdminReply::toCallback(std::move(done)));
}

GatewaySnapshot Gateway::snapshot()
{
    GatewaySnapshot s = m_totals.totals();
    s.state = m_server ? GatewaySnapshot::State::Running : GatewaySnapshot::State::Stopped;
    s.listenAddress = listenAddress();
    s.simulatorOnly = m_config.simulatorServesAll();
    s.storeProblem = m_store ? m_store->failure() : QString();
    s.upstreams.clear();
    if (s.simulatorOnly)
        s.upstreams << QStringLiteral("simulator (built in)");
    else
        for (const UpstreamConfig &u : m_config.upstreams)
            s.upstreams << u.name;
    s.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    if (!s.simulatorOnly)
        s.upstreamViews = upstreamViews(); // with the gate's queue and limit in force
    s.inFlight = inFlight();
    s.openConnections = m_server ? m_server->connectionCount() : 0;
    s.sessions = sessionViews(ConsoleSessions);
    s.sessionsKnown = m_book.size();
    s.stoppedAll = m_breakers.stoppedAll();
    const QHash<QString, int> byState = m_book.countByState(m_breakers, s.takenAtMs);
    s.sessionsTripped = byState.value(SessionView::stateName(SessionView::State::Tripped));
    s.sessionsKilled = byState.value(SessionView::stateName(SessionView::State::Killed));
    for (const SessionView &v : std::as_const(s.sessions))
        if ((v.state == SessionView::State::Active || v.state == SessionView::State::Throttled)
            && (v.inFlight > 0 || s.takenAtMs - v.lastSeenMs < ActiveWithinMs))
            ++s.sessionsActive;
    s.budgets = m_ledger.usage();
    for (BudgetUsage &u : s.budgets) {
        // The fullest counters are the ones to see; a rule per session can have thousands.
        std::stable_sort(u.counters.begin(), u.counters.end(),
                         [](const BudgetCounterUsage &a, const BudgetCounterUsage &b) { return a.fraction > b.fraction; });
        if (u.counters.size() > GatewaySnapshot::MaxCountersPerRule)
            u.counters.resize(GatewaySnapshot::MaxCountersPerRule);
        if (u.rule.scope == BudgetScope::Global && u.rule.window == BudgetWindow::Day && u.rule.maxCostMicros
            && (s.dayCapMicros < 0 || *u.rule.maxCostMicros < s.dayCapMicros)) {
            s.dayCapMicros = *u.rule.maxCostMicros;
            s.dayCapRule = u.rule.displayName();
            s.currency = u.rule.currency;
        }
    }
    s.budgetsSource = m_config.hasBudgets ? m_config.configPath : QString();
    return s;
}

void Gateway::publish()
{
    expireBreakers();
    GatewaySnapshot s = snapshot();
    m_totals.takeSincePublish(&s, s.takenAtMs);
    s.upstreamTransitions = std::exchange(m_transitionsSincePublish, {});
    Q_EMIT snapshotReady(s);
}
