#include "AdminSessions.h"

#include "AdminApi.h"
#include "http/HttpRequest.h"
#include "http/HttpResponder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

namespace {
QString iso(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODateWithMs) : QString();
}

// "/admin/v1/sessions/a%2Fb/kill" → {"a/b", "kill"}; the id is percent-decoded.
QPair<QString, QByteArray> idAndVerb(const QByteArray &rest)
{
    const qsizetype slash = rest.lastIndexOf('/');
    QByteArray id = rest;
    QByteArray verb;
    if (slash > 0 && (rest.endsWith("/kill") || rest.endsWith("/resume"))) {
        id = rest.left(slash);
        verb = rest.mid(slash + 1);
    }
    return {QUrl::fromPercentEncoding(id), verb};
}
} // namespace

bool AdminSessions::owns(const QByteArray &path)
{
    return path == "/admin/v1/sessions" || path.startsWith("/admin/v1/sessions/") || path.startsWith("/admin/v1/tenants/")
        || path == "/admin/v1/stop-all" || path == "/admin/v1/resume-all";
}

QJsonObject AdminSessions::sessionJson(const SessionView &s)
{
    QJsonObject o{{"id", s.id},
                  {"tenant", s.tenant},
                  {"state", SessionView::stateName(s.state)},
                  {"models", QJsonArray::fromStringList(s.models)},
                  {"requests", s.requests},
                  {"prompt_tokens", s.promptTokens},
                  {"completion_tokens", s.completionTokens},
                  {"cost_micros", s.costMicros},
                  {"requests_per_minute", s.requestsPerMinute},
                  {"tokens_per_minute", s.tokensPerMinute},
                  {"cost_micros_per_minute", s.costMicrosPerMinute},
                  {"in_flight", s.inFlight},
                  {"first_seen", iso(s.firstSeenMs)},
                  {"last_seen", iso(s.lastSeenMs)},
                  {"last_prompt", s.lastPrompt}};
    if (!s.process.isEmpty())
        o.insert("process", s.process);
    if (s.blockedBy != SessionView::BlockedBy::Nothing)
        o.insert("blocked_by", s.blockedBy == SessionView::BlockedBy::Session ? QStringLiteral("session")
                               : s.blockedBy == SessionView::BlockedBy::Tenant ? QStringLiteral("tenant") : QStringLiteral("all"));
    if (s.state != SessionView::State::Active) {
        o.insert("reason", s.reason);
        o.insert("state_since", iso(s.stateSinceMs));
    }
    if (s.costAtTripMicros >= 0)
        o.insert("cost_at_trip_micros", s.costAtTripMicros);
    return o;
}

void AdminSessions::handle(const HttpRequest &request, const QByteArray &path, const QString &actor, const AdminReply &reply)
{
    const QByteArray &m = request.method;
    const auto onlyPost = [&]() {
        if (m == "POST")
            return true;
        AdminApi::methodNotAllowed(reply, path, m, "POST");
        return false;
    };
    if (path == "/admin/v1/stop-all") {
        if (onlyPost())
            act(request, SessionCommand::stopAll(), actor, reply);
        return;
    }
    if (path == "/admin/v1/resume-all") {
        if (onlyPost())
            act(request, SessionCommand::resumeAll(), actor, reply);
        return;
    }
    if (path == "/admin/v1/sessions") {
        if (m != "GET")
            return AdminApi::methodNotAllowed(reply, path, m, "GET");
        return list(request, reply);
    }
    const bool tenants = path.startsWith("/admin/v1/tenants/");
    const QByteArray rest = path.mid(tenants ? qstrlen("/admin/v1/tenants/") : qstrlen("/admin/v1/sessions/"));
    const auto [id, verb] = idAndVerb(rest);
    if (id.isEmpty())
        return AdminApi::fail(reply, 404, QStringLiteral("not_found_error"), QStringLiteral("Name the session or tenant in the path."));
    if (verb.isEmpty()) {
        if (tenants)
            return AdminApi::fail(reply, 404, QStringLiteral("not_found_error"),
                          QStringLiteral("Tenants take POST /admin/v1/tenants/{id}/kill or /resume."));
        if (m != "GET")
            return AdminApi::methodNotAllowed(reply, path, m, "GET");
        return one(id, reply);
    }
    if (!onlyPost())
        return;
    const bool kill = verb == "kill";
    const SessionCommand command = tenants ? (kill ? SessionCommand::killTenant(id) : SessionCommand::resumeTenant(id))
                                           : (kill ? SessionCommand::killSession(id) : SessionCommand::resumeSession(id));
    act(request, command, actor, reply);
}

void AdminSessions::list(const HttpRequest &request, const AdminReply &reply)
{
    const QUrlQuery q(QString::fromUtf8(request.query));
    const QString state = q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    const QString tenant = q.queryItemValue(QStringLiteral("tenant"), QUrl::FullyDecoded);
    const QString text = q.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded);
    bool stateOk = true;
    const SessionView::State wanted = SessionView::stateFromName(state, &stateOk);
    if (!state.isEmpty() && !stateOk)
        return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"),
                      QStringLiteral("state must be active, throttled, tripped or killed, not '%1'.").arg(state));
    const auto number = [&](const QString &key, int fallback, int low, int high, bool *ok) {
        const QString v = q.queryItemValue(key);
        if (v.isEmpty())
            return fallback;
        const int n = v.toInt(ok);
        if (!*ok || n < low || n > high)
            *ok = false;
        return n;
    };
    bool limitOk = true;
    bool offsetOk = true;
    const int limit = number(QStringLiteral("limit"), 100, 1, 1000, &limitOk);
    const int offset = number(QStringLiteral("offset"), 0, 0, std::numeric_limits<int>::max(), &offsetOk);
    if (!limitOk || !offsetOk)
        return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"),
                      QStringLiteral("limit must be a whole number from 1 to 1000 and offset one from 0."));
    QJsonArray page;
    int total = 0;
    for (const SessionView &s : m_services.sessions()) {
        if (!state.isEmpty() && s.state != wanted)
            continue;
        if (!tenant.isEmpty() && s.tenant != tenant)
            continue;
        if (!text.isEmpty() && !s.id.contains(text, Qt::CaseInsensitive) && !s.tenant.contains(text, Qt::CaseInsensitive))
            continue;
        if (total >= offset && page.size() < limit)
            page.append(sessionJson(s));
        ++total;
    }
    AdminApi::respond(reply, 200, QJsonObject{{"sessions", page}, {"total", total}, {"limit", limit}, {"offset", offset},
                                      {"stopped_all", m_services.stoppedAll()}});
}

void AdminSessions::one(const QString &id, const AdminReply &reply)
{
    std::optional<SessionView> s = m_services.session(id);
    const std::optional<SessionTotalsRecord> stored = m_services.storedTotal ? m_services.storedTotal(id) : std::nullopt;
    if (!s && !stored)
        return AdminApi::fail(reply, 404, QStringLiteral("not_found_error"),
                      QStringLiteral("No session '%1' is known. GET /admin/v1/sessions lists them.").arg(id));
    if (!s) {
        // Only in the store: last seen before TokenFuse started, and more than a day before.
        s = SessionView{};
        s->id = id;
        s->tenant = stored->tenant;
        s->models = QStringList{stored->model};
        s->firstSeenMs = stored->firstSeenMs;
        s->lastSeenMs = stored->lastSeenMs;
    }
    QJsonObject body = sessionJson(*s);
    if (stored)
        body.insert("all_time", QJsonObject{{"requests", stored->requests}, {"prompt_tokens", stored->promptTokens},
                                            {"completion_tokens", stored->completionTokens}, {"cost_micros", stored->costMicros},
                                            {"first_seen", iso(stored->firstSeenMs)}, {"last_seen", iso(stored->lastSeenMs)}});
    AdminApi::respond(reply, 200, body);
}

void AdminSessions::act(const HttpRequest &request, SessionCommand command, const QString &actor, const AdminReply &reply)
{
    // A body is optional; when there is one it is JSON, and may give the reason.
    if (!request.body.trimmed().isEmpty()) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"),
                          pe.error != QJsonParseError::NoError
                              ? QStringLiteral("The body is not valid JSON: %1 at offset %2.").arg(pe.errorString()).arg(pe.offset)
                              : QStringLiteral("The body must be a JSON object, e.g. {\"reason\": \"runaway loop\"}."));
        }
        const QJsonValue reason = doc.object().value(QLatin1String("reason"));
        if (!reason.isUndefined() && !reason.isString())
            return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"), QStringLiteral("\"reason\" must be a string."));
        command.reason = reason.toString().left(500);
    }
    const SessionCommandResult result = m_services.execute(command, actor);
    if (!result.ok)
        return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"), result.message);
    QJsonObject body{{"ok", true}, {"cancelled", result.cancelled}, {"message", result.message},
                     {"stopped_all", m_services.stoppedAll()}};
    if (!command.target.isEmpty())
        body.insert(command.action == SessionCommand::Action::KillTenant || command.action == SessionCommand::Action::ResumeTenant
                        ? QStringLiteral("tenant") : QStringLiteral("session"),
                    command.target);
    const QString problem = m_services.storeProblem();
    if (!problem.isEmpty())
        body.insert("warning", QStringLiteral("In force now, but not saved: the usage store cannot write (%1), so a restart forgets it.").arg(problem));
    AdminApi::respond(reply, 200, body);
}
