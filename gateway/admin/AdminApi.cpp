#include "AdminApi.h"

#include "AdminToken.h"
#include "budget/BudgetLedger.h"
#include "budget/BudgetRule.h"
#include "config/ConfigFileWriter.h"
#include "upstream/UpstreamViewJson.h"
#include "http/HttpRequest.h"
#include "keys/VirtualKeyRegistry.h"
#include "store/UsageQuery.h"
#include "store/UsageStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrl>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <cstring>

namespace {
QJsonObject keyJson(const VirtualKeyRecord &k)
{
    QJsonObject o{{"id", k.id}, {"prefix", k.prefix}, {"tenant", k.tenant}, {"name", k.name},
                  {"created_at", QDateTime::fromMSecsSinceEpoch(k.createdAt).toString(Qt::ISODateWithMs)},
                  {"revoked", k.revokedAt != 0}};
    if (k.revokedAt)
        o.insert("revoked_at", QDateTime::fromMSecsSinceEpoch(k.revokedAt).toString(Qt::ISODateWithMs));
    o.insert("priority", k.priority);
    return o;
}

QJsonArray rulesJson(const QList<BudgetRule> &rules)
{
    QJsonArray a;
    for (const BudgetRule &r : rules)
        a.append(r.toJson());
    return a;
}
} // namespace

AdminApi::AdminApi(const Services &services)
    : m_services(services), m_sessions(services.sessions),
      m_rateLimits({services.rates, services.store, services.configPath, services.rateLimitsInConfig}), m_upstreams(services.upstreams)
{
    m_sessions.setStoredTotal([this](const QString &id) -> std::optional<SessionTotalsRecord> {
        if (!m_query) {
            auto reader = std::make_unique<UsageQuery>();
            QString error;
            if (!reader->open(m_services.databasePath, &error))
                return std::nullopt;
            m_query = std::move(reader);
        }
        return m_query->sessionTotal(id);
    });
}

AdminApi::~AdminApi() = default;

QByteArray AdminApi::errorBody(const QString &type, const QString &message)
{
    return QJsonDocument(QJsonObject{{"error", QJsonObject{{"type", type}, {"message", message}}}}).toJson(QJsonDocument::Compact);
}

void AdminApi::respond(const AdminReply &reply, int status, const QJsonValue &body)
{
    HttpHeaders h;
    h.add("content-type", "application/json");
    h.add("cache-control", "no-store");
    const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    reply.send(status, h, bytes);
}

void AdminApi::fail(const AdminReply &reply, int status, const QString &type, const QString &message)
{
    HttpHeaders h;
    h.add("content-type", "application/json");
    if (status == 401)
        h.add("www-authenticate", "Bearer realm=\"tokenfuse-admin\"");
    if (status == 503)
        h.add("retry-after", "5");
    reply.send(status, h, errorBody(type, message));
}

void AdminApi::methodNotAllowed(const AdminReply &reply, const QByteArray &path, const QByteArray &method, const char *allowed)
{
    HttpHeaders h;
    h.add("content-type", "application/json");
    if (!std::strchr(allowed, '('))
        h.add("allow", QByteArray(allowed).replace(" or ", ", "));
    reply.send(405, h, errorBody(QStringLiteral("invalid_request_error"),
                                         QStringLiteral("%1 takes %2, not %3.").arg(QString::fromUtf8(path), QLatin1String(allowed), QString::fromUtf8(method))));
}

bool AdminApi::storeRefuses(const AdminReply &reply, const QString &what) const
{
    if (m_services.store->isWritable())
        return false;
    failStore(reply, what, m_services.store->failure());
    return true;
}

void AdminApi::failStore(const AdminReply &reply, const QString &what, const QString &why)
{
    fail(reply, 503, QStringLiteral("store_unavailable"),
         QStringLiteral("%1: the usage store cannot write (%2). Free disk space or fix the data directory, then retry; "
                        "TokenFuse resumes writing by itself.").arg(what, why));
}

std::optional<QJsonValue> AdminApi::rulesBody(const HttpRequest &request, const QString &key, const AdminReply &reply)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &pe);
    if (pe.error != QJsonParseError::NoError) {
        fail(reply, 400, QStringLiteral("invalid_request_error"),
             QStringLiteral("The body is not valid JSON: %1 at offset %2.").arg(pe.errorString()).arg(pe.offset));
        return std::nullopt;
    }
    // The same array as the config file's; {"<key>": [...]} is accepted too.
    const QJsonValue value = doc.isArray() ? QJsonValue(doc.array()) : doc.object().value(key);
    if (!value.isArray()) {
        fail(reply, 400, QStringLiteral("invalid_request_error"),
             QStringLiteral("Send the %1 as a JSON array of rules, as in the config file's \"%1\".").arg(key));
        return std::nullopt;
    }
    return value;
}

bool AdminApi::writeBack(const AdminReply &reply, const QString &configPath, const QString &key, const QJsonValue &value,
                         const QString &what, QByteArray *previous)
{
    QString error;
    if (ConfigFileWriter::writeKey(configPath, key, value, &error, previous))
        return true;
    // The file's rules win at start: a change it doesn't hold would be undone by the next restart.
    fail(reply, 500, QStringLiteral("config_write_failed"),
         QStringLiteral("%1: they come from the config file, which TokenFuse reads at start, and %2. Make the file writable, "
                        "or remove its \"%3\" key to keep them in the store instead.").arg(what, error, key));
    return false;
}

QString AdminApi::storedIn(const QString &configPath, bool inConfig)
{
    return inConfig && !configPath.isEmpty() ? QStringLiteral("config file %1").arg(configPath) : QStringLiteral("store");
}

void AdminApi::handle(const HttpRequest &request, const AdminReply &reply)
{
    if (!m_services.token->accepts(request.headers.value("authorization"))) {
        const bool sent = request.headers.contains("authorization");
        fail(reply, 401, QStringLiteral("authentication_error"),
             sent ? QStringLiteral("The admin token is wrong. It is in %1.").arg(m_services.token->path())
                  : QStringLiteral("The admin API needs 'Authorization: Bearer <token>'; the token is in %1.").arg(m_services.token->path()));
        return;
    }
    route(request, QStringLiteral("admin-api (%1)").arg(m_services.token->fingerprint()), reply);
}

void AdminApi::setConfigState(bool budgetsInConfig, bool rateLimitsInConfig)
{
    m_services.budgetsInConfig = budgetsInConfig;
    m_services.rateLimitsInConfig = rateLimitsInConfig;
    m_rateLimits.setInConfig(rateLimitsInConfig);
}

void AdminApi::handle(const AdminCall &call, const QString &actor, const AdminReply &reply)
{
    HttpRequest request;
    request.method = call.method;
    request.path = call.path;
    request.query = call.query;
    request.target = call.query.isEmpty() ? call.path : call.path + '?' + call.query;
    request.body = call.body;
    request.headers.add("content-type", "application/json");
    route(request, actor, reply);
}

void AdminApi::route(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    const QByteArray path = request.path.endsWith('/') ? request.path.chopped(1) : request.path;
    const QByteArray &m = request.method;
    const auto methodNotAllowed = [&](const char *allowed) { AdminApi::methodNotAllowed(reply, path, m, allowed); };
    if (path == "/admin/v1/budgets") {
        if (m == "GET")
            return budgetsGet(reply);
        if (m == "PUT")
            return budgetsPut(request, actor, reply);
        return methodNotAllowed("GET or PUT");
    }
    if (AdminRateLimits::owns(path))
        return m_rateLimits.handle(request, actor, reply);
    if (path == "/admin/v1/keys") {
        if (m == "GET")
            return keysList(reply);
        if (m == "POST")
            return keysCreate(request, actor, reply);
        return methodNotAllowed("GET or POST");
    }
    if (path.startsWith("/admin/v1/keys/")) {
        QString id = QString::fromUtf8(path.mid(int(qstrlen("/admin/v1/keys/"))));
        const bool revokePath = id.endsWith(QLatin1String("/revoke"));
        if (revokePath)
            id.chop(7);
        if ((m == "DELETE" && !revokePath) || (m == "POST" && revokePath))
            return keysRevoke(id, actor, reply);
        return methodNotAllowed("DELETE (or POST .../revoke)");
    }
    if (path == "/admin/v1/audit") {
        if (m == "GET")
            return auditList(request, reply);
        return methodNotAllowed("GET");
    }
    if (path == "/admin/v1/usage") {
        if (m == "GET")
            return usageGet(request, reply);
        return methodNotAllowed("GET");
    }
    if (AdminSessions::owns(path))
        return m_sessions.handle(request, path, actor, reply);
    if (AdminUpstreams::owns(path))
        return m_upstreams.handle(request, path, actor, reply);
    fail(reply, 404, QStringLiteral("not_found_error"),
         QStringLiteral("No admin route %1 %2. Routes: GET/PUT /admin/v1/budgets, GET/PUT /admin/v1/rate_limits, GET/POST /admin/v1/keys, DELETE /admin/v1/keys/{id}, "
                        "GET /admin/v1/audit, GET /admin/v1/usage, GET /admin/v1/sessions, GET /admin/v1/sessions/{id}, "
                        "POST /admin/v1/sessions/{id}/kill|resume, POST /admin/v1/tenants/{id}/kill|resume, "
                        "POST /admin/v1/stop-all, POST /admin/v1/resume-all, GET/POST /admin/v1/upstreams, GET/PUT/DELETE /admin/v1/upstreams/{name}, "
                        "POST /admin/v1/upstreams/{name}/enable|disable|test, GET /admin/v1/upstream-presets.")
             .arg(QString::fromUtf8(m), QString::fromUtf8(request.path)));
}

void AdminApi::budgetsGet(const AdminReply &reply)
{
    respond(reply, 200, QJsonObject{{"budgets", m_services.ledger->usageJson()},
                                    {"stored_in", storedIn(m_services.configPath, m_services.budgetsInConfig)}});
}

void AdminApi::budgetsPut(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    const std::optional<QJsonValue> value = rulesBody(request, QStringLiteral("budgets"), reply);
    if (!value)
        return;
    QString error;
    const std::optional<QList<BudgetRule>> rules = BudgetRule::listFromJson(*value, &error);
    if (!rules) {
        fail(reply, 400, QStringLiteral("invalid_request_error"), error);
        return;
    }
    if (storeRefuses(reply, QStringLiteral("The budgets were not changed")))
        return;
    AuditEntry entry;
    entry.at = QDateTime::currentMSecsSinceEpoch();
    entry.actor = actor;
    entry.action = QStringLiteral("budgets.put");
    entry.target = QStringLiteral("budgets");
    entry.before = rulesJson(m_services.ledger->rules());
    entry.after = rulesJson(*rules);
    const bool inConfig = m_services.budgetsInConfig && !m_services.configPath.isEmpty();
    QByteArray fileBefore;
    if (inConfig && !writeBack(reply, m_services.configPath, QStringLiteral("budgets"), entry.after,
                               QStringLiteral("The budgets were not changed"), &fileBefore))
        return;
    const QList<BudgetRule> before = m_services.ledger->rules();
    // In force at once, in-flight requests included; the answer waits for the audit to be stored.
    m_services.ledger->setRules(*rules);
    const AdminReply r = reply;
    BudgetLedger *ledger = m_services.ledger;
    const QString storedAt = storedIn(m_services.configPath, inConfig);
    const QString configPath = inConfig ? m_services.configPath : QString();
    m_services.store->saveBudgetRules(entry.after.toArray(), entry, [=](const StoreOutcome &saved) {
        if (!saved.committed()) {
            // Not saved, so not in force either (unless another PUT has replaced them meanwhile).
            if (rulesJson(ledger->rules()) == entry.after)
                ledger->setRules(before);
            QString ignored;
            if (!configPath.isEmpty())
                ConfigFileWriter::restore(configPath, fileBefore, &ignored);
            failStore(r, QStringLiteral("The budgets were not changed"), saved.error);
            return;
        }
        respond(r, 200, QJsonObject{{"budgets", ledger->usageJson()}, {"stored_in", storedAt}});
    });
}

void AdminApi::keysList(const AdminReply &reply)
{
    QJsonArray list;
    for (const VirtualKeyRecord &k : m_services.keys->all())
        list.append(keyJson(k));
    respond(reply, 200, QJsonObject{{"keys", list}});
}

void AdminApi::keysCreate(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        fail(reply, 400, QStringLiteral("invalid_request_error"),
             QStringLiteral("Send a JSON object: {\"tenant\": \"acme\", \"name\": \"ci-bot\"}."));
        return;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() != QLatin1String("tenant") && it.key() != QLatin1String("name") && it.key() != QLatin1String("priority")) {
            fail(reply, 400, QStringLiteral("invalid_request_error"),
                 QStringLiteral("Unknown field '%1'; a key takes \"tenant\", \"name\" and \"priority\".").arg(it.key()));
            return;
        }
    }
    int priority = 0;
    if (const QJsonValue p = o.value(QLatin1String("priority")); !p.isUndefined() && !p.isNull()) {
        if (!p.isDouble() || p.toDouble() != double(int(p.toDouble())) || p.toDouble() < -1000 || p.toDouble() > 1000) {
            fail(reply, 400, QStringLiteral("invalid_request_error"),
                 QStringLiteral("\"priority\" must be a whole number from -1000 to 1000: the key's tier in the upstreams' wait queues (higher first; 0, the default, is its tenant's)."));
            return;
        }
        priority = int(p.toDouble());
    }
    const QString tenant = o.value(QLatin1String("tenant")).toString().trimmed();
    if (tenant.isEmpty() || tenant.size() > 200) {
        fail(reply, 400, QStringLiteral("invalid_request_error"),
             QStringLiteral("\"tenant\" is required: the tenant this key's requests are counted for."));
        return;
    }
    if (storeRefuses(reply, QStringLiteral("No key was created")))
        return;
    auto [record, key] = m_services.keys->create(tenant, o.value(QLatin1String("name")).toString(),
                                                 QDateTime::currentMSecsSinceEpoch());
    record.priority = priority;
    AuditEntry entry;
    entry.at = record.createdAt;
    entry.actor = actor;
    entry.action = QStringLiteral("keys.create");
    entry.target = record.id;
    entry.after = keyJson(record);
    const AdminReply r = reply;
    VirtualKeyRegistry *keys = m_services.keys;
    // Usable once saved: nobody has the key before this answer anyway.
    m_services.store->saveVirtualKey(record, entry, [r, keys, record = record, key = key](const StoreOutcome &saved) {
        if (!saved.committed()) {
            failStore(r, QStringLiteral("No key was created"), saved.error);
            return;
        }
        keys->put(record);
        QJsonObject body = keyJson(record);
        body.insert("key", QString::fromLatin1(key)); // shown this once, never again
        respond(r, 201, body);
    });
}

void AdminApi::keysRevoke(const QString &id, const QString &actor, const AdminReply &reply)
{
    std::optional<VirtualKeyRecord> record = m_services.keys->byId(id);
    if (!record) {
        fail(reply, 404, QStringLiteral("not_found_error"), QStringLiteral("No virtual key with id '%1'.").arg(id));
        return;
    }
    if (storeRefuses(reply, QStringLiteral("Key '%1' was not revoked").arg(id)))
        return;
    AuditEntry entry;
    entry.at = QDateTime::currentMSecsSinceEpoch();
    entry.actor = actor;
    entry.action = QStringLiteral("keys.revoke");
    entry.target = id;
    entry.before = keyJson(*record);
    if (record->revokedAt == 0)
        record->revokedAt = entry.at;
    entry.after = keyJson(*record);
    m_services.keys->put(*record); // refused from the next request on
    const AdminReply r = reply;
    m_services.store->saveVirtualKey(*record, entry, [r, record = *record](const StoreOutcome &saved) {
        if (!saved.committed())
            failStore(r, QStringLiteral("Key '%1' is refused until TokenFuse stops, but its revocation was not saved: "
                                        "revoke it again once the store can write").arg(record.id), saved.error);
        else
            respond(r, 200, keyJson(record));
    });
}

void AdminApi::auditList(const HttpRequest &request, const AdminReply &reply)
{
    const int limit = qBound(1, QUrlQuery(QString::fromUtf8(request.query)).queryItemValue(QStringLiteral("limit")).toInt(), 1000);
    UsageQuery *reader = query(reply, QStringLiteral("the audit table"));
    if (!reader)
        return;
    QJsonArray list;
    for (const AuditEntry &e : reader->recentAudit(request.query.isEmpty() ? 100 : limit))
        list.append(QJsonObject{{"at", QDateTime::fromMSecsSinceEpoch(e.at).toString(Qt::ISODateWithMs)}, {"actor", e.actor},
                                {"action", e.action}, {"target", e.target}, {"before", e.before}, {"after", e.after}});
    respond(reply, 200, QJsonObject{{"audit", list}});
}

UsageQuery *AdminApi::query(const AdminReply &reply, const QString &what)
{
    if (!m_query) {
        auto reader = std::make_unique<UsageQuery>();
        QString error;
        if (!reader->open(m_services.databasePath, &error)) {
            fail(reply, 500, QStringLiteral("api_error"), QStringLiteral("Cannot read %1: %2").arg(what, error));
            return nullptr;
        }
        m_query = std::move(reader);
    }
    return m_query.get();
}

void AdminApi::usageGet(const HttpRequest &request, const AdminReply &reply)
{
    const QUrlQuery q(QString::fromUtf8(request.query));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // A time is ms since the Unix epoch or ISO 8601 ("2026-12-01", "2026-12-01T09:00:00Z").
    const auto time = [&](const QString &key, qint64 fallback, bool *ok) -> qint64 {
        const QString v = q.queryItemValue(key, QUrl::FullyDecoded);
        *ok = true;
        if (v.isEmpty())
            return fallback;
        bool number = false;
        const qint64 ms = v.toLongLong(&number);
        if (number)
            return ms;
        QDateTime t = QDateTime::fromString(v, Qt::ISODateWithMs);
        if (!t.isValid())
            t = QDateTime::fromString(v, Qt::ISODate);
        if (!t.isValid()) {
            *ok = false;
            return 0;
        }
        return t.toMSecsSinceEpoch();
    };
    bool fromOk = false;
    bool toOk = false;
    const qint64 to = time(QStringLiteral("to"), now + 1, &toOk);
    const qint64 from = time(QStringLiteral("from"), to - 24 * 3600 * 1000, &fromOk);
    if (!fromOk || !toOk)
        return fail(reply, 400, QStringLiteral("invalid_request_error"),
                    QStringLiteral("from and to take ms since the Unix epoch or an ISO 8601 time, e.g. from=2026-12-01T00:00:00Z."));
    if (from >= to)
        return fail(reply, 400, QStringLiteral("invalid_request_error"), QStringLiteral("from must be before to."));
    const QString groupText = q.hasQueryItem(QStringLiteral("group_by")) ? q.queryItemValue(QStringLiteral("group_by")) : QStringLiteral("day");
    const std::optional<UsageQuery::GroupBy> by = UsageQuery::groupByFromString(groupText);
    if (!by)
        return fail(reply, 400, QStringLiteral("invalid_request_error"),
                    QStringLiteral("group_by must be day, hour, model, tenant or session, not '%1'.").arg(groupText));
    UsageQuery *reader = query(reply, QStringLiteral("the usage history"));
    if (!reader)
        return;
    const QList<QPair<QString, UsageTotals>> groups = reader->grouped(from, to, *by);
    if (!reader->lastError().isEmpty())
        return fail(reply, 500, QStringLiteral("api_error"), reader->lastError());
    QJsonArray rows;
    UsageTotals sum;
    for (const auto &[key, t] : groups) {
        rows.append(QJsonObject{{"key", key}, {"requests", t.requests}, {"prompt_tokens", t.prompt},
                                {"completion_tokens", t.completion}, {"cost_micros", t.cost}});
        sum.requests += t.requests;
        sum.prompt += t.prompt;
        sum.completion += t.completion;
        sum.cost += t.cost;
    }
    respond(reply, 200, QJsonObject{{"from", QDateTime::fromMSecsSinceEpoch(from).toString(Qt::ISODateWithMs)},
                                        {"to", QDateTime::fromMSecsSinceEpoch(to).toString(Qt::ISODateWithMs)},
                                        {"group_by", groupText},
                                        {"groups", rows},
                                        {"total", QJsonObject{{"requests", sum.requests}, {"prompt_tokens", sum.prompt},
                                                              {"completion_tokens", sum.completion}, {"cost_micros", sum.cost}}}});
}
