#pragma once

#include "upstream/UpstreamView.h"

#include "AdminRateLimits.h"
#include "AdminUpstreams.h"
#include "AdminReply.h"
#include "AdminSessions.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class AdminToken;
class BudgetLedger;
class RateLimiter;
class UsageStore;
class UsageQuery;
class VirtualKeyRegistry;
struct HttpRequest;

// The admin API under /admin/v1/: JSON in and out, every call behind the bearer token in
// DATA_DIR/admin.token, every change applied to the running gateway at once and written to the
// audit table. The session routes and kill switches are AdminSessions', the rate limits
// AdminRateLimits'. Rules that came from the config file are written back to it as well.
class AdminApi
{
public:
    struct Services
    {
        const AdminToken *token = nullptr;
        BudgetLedger *ledger = nullptr;
        UsageStore *store = nullptr;
        VirtualKeyRegistry *keys = nullptr;
        QString databasePath;   // read-side queries (audit) use their own read-only connection
        AdminSessions::Services sessions; // the kill switches and the session registry, from the gateway
        RateLimiter *rates = nullptr;
        QString configPath;             // the config file, empty when none
        bool budgetsInConfig = false;   // the file has "budgets": a PUT rewrites that key too
        bool rateLimitsInConfig = false; // the file has "rate_limits": likewise
        AdminUpstreams::Services upstreams; // the upstream routes (AdminUpstreams)
    };

    explicit AdminApi(const Services &services);
    ~AdminApi();

    // After a config reload: whether budgets and rate limits now come from the file.
    void setConfigState(bool budgetsInConfig, bool rateLimitsInConfig);

    static bool isAdminPath(const QByteArray &path) { return path.startsWith("/admin/"); }
    // A call over HTTP: refused 401 without the bearer token; the audit names the token.
    void handle(const HttpRequest &request, const AdminReply &reply);
    // A call from the console, in-process: no token; the audit names `actor`.
    void handle(const AdminCall &call, const QString &actor, const AdminReply &reply);

    static QByteArray errorBody(const QString &type, const QString &message);
    // The admin API's answers: JSON, no caching; an error in the admin shape (401 with
    // www-authenticate, 503 with retry-after, 405 with allow).
    static void respond(const AdminReply &reply, int status, const QJsonValue &body);
    static void fail(const AdminReply &reply, int status, const QString &type, const QString &message);
    static void methodNotAllowed(const AdminReply &reply, const QByteArray &path, const QByteArray &method, const char *allowed);
    // 503 store_unavailable, saying what was not saved and why.
    static void failStore(const AdminReply &reply, const QString &what, const QString &why);

    // A PUT's rules: the body's array, or the array under `key` of a body object; nothing (and
    // answered 400) otherwise.
    static std::optional<QJsonValue> rulesBody(const HttpRequest &request, const QString &key, const AdminReply &reply);
    // Writes `key` of the config file (when the rules in force came from it); false, answered
    // 500 and the file unchanged, when it can't. *previous receives the file as it was.
    static bool writeBack(const AdminReply &reply, const QString &configPath, const QString &key, const QJsonValue &value,
                          const QString &what, QByteArray *previous);
    // "config file /path" or "store": where a PUT keeps its rules (the answers' "stored_in").
    static QString storedIn(const QString &configPath, bool inConfig);

private:
    void budgetsGet(const AdminReply &reply);
    void route(const HttpRequest &request, const QString &actor, const AdminReply &reply);
    void budgetsPut(const HttpRequest &request, const QString &actor, const AdminReply &reply);
    void keysList(const AdminReply &reply);
    void keysCreate(const HttpRequest &request, const QString &actor, const AdminReply &reply);
    void keysRevoke(const QString &id, const QString &actor, const AdminReply &reply);
    void auditList(const HttpRequest &request, const AdminReply &reply);
    // GET /admin/v1/usage?from=&to=&group_by=day|hour|model|tenant|session
    void usageGet(const HttpRequest &request, const AdminReply &reply);
    // The read-side connection, opened on first use; null (and answered 500) when it can't open.
    UsageQuery *query(const AdminReply &reply, const QString &what);

    // 503 store_unavailable, saying what was not saved and why; a change is refused at once while
    // the store cannot write (storeRefuses), and answered so when its write fails meanwhile.
    bool storeRefuses(const AdminReply &reply, const QString &what) const;

    Services m_services;
    std::unique_ptr<UsageQuery> m_query; // opened on first use
    AdminSessions m_sessions;
    AdminRateLimits m_rateLimits;
    AdminUpstreams m_upstreams;
};
