#pragma once

#include "AdminReply.h"
#include "session/SessionBlock.h"
#include "session/SessionCommand.h"
#include "session/SessionView.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

class UsageQuery;
struct HttpRequest;

// The admin routes of the kill switches and the session registry:
//   GET  /admin/v1/sessions[?state=&tenant=&q=&limit=&offset=]   GET /admin/v1/sessions/{id}
//   POST /admin/v1/sessions/{id}/kill|resume   POST /admin/v1/tenants/{id}/kill|resume
//   POST /admin/v1/stop-all   POST /admin/v1/resume-all
// It reads and acts only through the functions it is given (the gateway's), so it holds no state.
class AdminSessions
{
public:
    struct Services
    {
        std::function<SessionCommandResult(const SessionCommand &, const QString &actor)> execute;
        std::function<QList<SessionView>()> sessions; // every session the gateway knows, most recent first
        std::function<std::optional<SessionView>(const QString &id)> session;
        std::function<bool()> stoppedAll;
        std::function<QString()> storeProblem;   // why kills are not being saved, or empty
        // A session's figures over all its stored history (GET sessions/{id}); nothing when none.
        std::function<std::optional<SessionTotalsRecord>(const QString &id)> storedTotal;
    };

    explicit AdminSessions(Services services) : m_services(std::move(services)) {}
    void setStoredTotal(std::function<std::optional<SessionTotalsRecord>(const QString &id)> storedTotal)
    {
        m_services.storedTotal = std::move(storedTotal);
    }

    static bool owns(const QByteArray &path);
    // `path` without a trailing slash; `actor` for the audit table.
    void handle(const HttpRequest &request, const QByteArray &path, const QString &actor, const AdminReply &reply);

    static QJsonObject sessionJson(const SessionView &session);

private:
    void list(const HttpRequest &request, const AdminReply &reply);
    void one(const QString &id, const AdminReply &reply);
    void act(const HttpRequest &request, SessionCommand command, const QString &actor, const AdminReply &reply);

    Services m_services;
};
