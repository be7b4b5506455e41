#include "AdminUpstreams.h"

#include "AdminApi.h"
#include "AdminReply.h"
#include "http/HttpRequest.h"
#include "store/StoreRecords.h"
#include "store/UsageStore.h"
#include "upstream/UpstreamViewJson.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QUrl>

namespace {
const QString kInvalid = QStringLiteral("invalid_request_error");
const QString kNotFound = QStringLiteral("not_found_error");

// An entry as the audit keeps it: never a key.
QJsonValue redacted(const QJsonArray &list)
{
    QJsonArray out;
    for (const QJsonValue &v : list) {
        QJsonObject o = v.toObject();
        if (o.contains(QLatin1String("api_key")))
            o.insert(QLatin1String("api_key"), QStringLiteral("(redacted)"));
        out.append(o);
    }
    return out;
}
} // namespace

void AdminUpstreams::handle(const HttpRequest &request, const QByteArray &path, const QString &actor, const AdminReply &reply)
{
    const QByteArray &m = request.method;
    if (path == "/admin/v1/upstream-presets") {
        if (m != "GET")
            return AdminApi::methodNotAllowed(reply, path, m, "GET");
        return AdminApi::respond(reply, 200, m_services.presets ? m_services.presets() : QJsonObject{{"presets", QJsonArray()}});
    }
    if (path == "/admin/v1/upstreams") {
        if (m == "GET") {
            QJsonArray list;
            for (const UpstreamView &v : m_services.views())
                list.append(UpstreamViewJson::toJson(v));
            return AdminApi::respond(reply, 200, QJsonObject{{"upstreams", list}, {"simulator_only", m_services.simulatorOnly()}});
        }
        if (m == "POST")
            return add(request, actor, reply);
        return AdminApi::methodNotAllowed(reply, path, m, "GET or POST");
    }
    QString rest = QUrl::fromPercentEncoding(path.mid(int(qstrlen("/admin/v1/upstreams/"))));
    QString verb;
    for (const QLatin1String v : {QLatin1String("/enable"), QLatin1String("/disable"), QLatin1String("/test")}) {
        if (rest.endsWith(v)) {
            verb = v.mid(1);
            rest.chop(v.size());
            break;
        }
    }
    const QString name = rest;
    if (!verb.isEmpty()) {
        if (m != "POST")
            return AdminApi::methodNotAllowed(reply, path, m, "POST");
        if (verb == QLatin1String("test"))
            return test(name, reply);
        return setEnabled(name, verb == QLatin1String("enable"), actor, reply);
    }
    if (m == "GET") {
        for (const UpstreamView &v : m_services.views())
            if (v.name == name)
                return AdminApi::respond(reply, 200, UpstreamViewJson::toJson(v));
        return AdminApi::fail(reply, 404, kNotFound, QStringLiteral("No upstream named '%1' in the config.").arg(name));
    }
    if (m == "PUT")
        return replace(name, request, actor, reply);
    if (m == "DELETE")
        return remove(name, actor, reply);
    AdminApi::methodNotAllowed(reply, path, m, "GET, PUT or DELETE");
}

int AdminUpstreams::indexOf(const QJsonArray &list, const QString &name) const
{
    for (int i = 0; i < list.size(); ++i)
        if (list.at(i).toObject().value(QLatin1String("name")).toString() == name)
            return i;
    return -1;
}

std::optional<QJsonObject> AdminUpstreams::entryFrom(const HttpRequest &request, const QString &name, const AdminReply &reply)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        AdminApi::fail(reply, 400, kInvalid,
                       QStringLiteral("Send one upstream as a JSON object, as in the config file's \"upstreams\" (e.g. {\"name\": \"deepseek\", "
                                      "\"preset\": \"deepseek\", \"api_key\": \"sk-...\"})."));
        return std::nullopt;
    }
    QJsonObject entry = doc.object();
    if (!name.isEmpty())
        entry.insert(QLatin1String("name"), name);
    else if (!entry.contains(QLatin1String("name")) && entry.value(QLatin1String("preset")).isString())
        entry.insert(QLatin1String("name"), entry.value(QLatin1String("preset")).toString().toLower()); // as the config names it
    const QString upstream = entry.value(QLatin1String("name")).toString();
    if (upstream.trimmed().isEmpty()) {
        AdminApi::fail(reply, 400, kInvalid, QStringLiteral("upstream.name is required."));
        return std::nullopt;
    }
    const QJsonValue key = entry.value(QLatin1String("api_key"));
    if (!key.isUndefined()) {
        if (!key.isString()) {
            AdminApi::fail(reply, 400, kInvalid, QStringLiteral("upstream.api_key must be a string."));
            return std::nullopt;
        }
        entry.remove(QLatin1String("api_key"));
        if (!key.toString().isEmpty()) {
            // Kept where keys belong, never in the file: the file names the entry.
            QString error;
            m_secretUndo = SecretUndo{secretName(upstream), m_services.readSecret ? m_services.readSecret(secretName(upstream)) : std::nullopt};
            if (!m_services.storeSecret || !m_services.storeSecret(secretName(upstream), key.toString(), &error)) {
                m_secretUndo.reset();
                AdminApi::fail(reply, 500, QStringLiteral("secret_store_failed"),
                               QStringLiteral("The key could not be kept in the secret store (%1); nothing was changed. Put it in an "
                                              "environment variable and name it with \"api_key_env\" instead.")
                                   .arg(m_services.storeSecret ? error : QStringLiteral("there is none")));
                return std::nullopt;
            }
            entry.insert(QLatin1String("api_key_secret"), secretName(upstream));
            entry.remove(QLatin1String("api_key_env"));
        }
    }
    return entry;
}

void AdminUpstreams::add(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    const QJsonArray before = m_services.current();
    const QJsonObject asked = QJsonDocument::fromJson(request.body).object();
    const QString name = asked.contains(QLatin1String("name")) ? asked.value(QLatin1String("name")).toString()
                                                                : asked.value(QLatin1String("preset")).toString().toLower();
    if (!name.isEmpty() && indexOf(before, name) >= 0)
        return AdminApi::fail(reply, 409, QStringLiteral("conflict_error"),
                              QStringLiteral("An upstream named '%1' already exists; PUT /admin/v1/upstreams/%1 changes it.").arg(name));
    const std::optional<QJsonObject> entry = entryFrom(request, QString(), reply);
    if (!entry)
        return;
    QJsonArray next = before;
    next.append(*entry);
    if (!commit(before, next, QStringLiteral("upstreams.add"), name, 201, actor, reply))
        undoSecret();
    m_secretUndo.reset();
}

void AdminUpstreams::undoSecret()
{
    if (!m_secretUndo)
        return;
    QString ignored;
    if (m_secretUndo->previous && m_services.storeSecret)
        m_services.storeSecret(m_secretUndo->name, *m_secretUndo->previous, &ignored);
    else if (!m_secretUndo->previous && m_services.removeSecret)
        m_services.removeSecret(m_secretUndo->name);
    m_secretUndo.reset();
}

void AdminUpstreams::replace(const QString &name, const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    const QJsonArray before = m_services.current();
    const int at = indexOf(before, name);
    if (at < 0)
        return AdminApi::fail(reply, 404, kNotFound, QStringLiteral("No upstream named '%1' in the config; POST /admin/v1/upstreams adds one.").arg(name));
    std::optional<QJsonObject> entry = entryFrom(request, name, reply);
    if (!entry)
        return;
    // A body that names no key keeps the key the upstream has.
    const QJsonObject old = before.at(at).toObject();
    if (!entry->contains(QLatin1String("api_key_secret")) && !entry->contains(QLatin1String("api_key_env"))
        && !request.body.contains("\"api_key\""))
        for (const char *k : {"api_key", "api_key_env", "api_key_secret"})
            if (old.contains(QLatin1String(k)))
                entry->insert(QLatin1String(k), old.value(QLatin1String(k)));
    QJsonArray next = before;
    next.replace(at, *entry);
    if (!commit(before, next, QStringLiteral("upstreams.put"), name, 200, actor, reply))
        undoSecret();
    m_secretUndo.reset();
}

void AdminUpstreams::remove(const QString &name, const QString &actor, const AdminReply &reply)
{
    const QJsonArray before = m_services.current();
    const int at = indexOf(before, name);
    if (at < 0)
        return AdminApi::fail(reply, 404, kNotFound, QStringLiteral("No upstream named '%1' in the config.").arg(name));
    QJsonArray next = before;
    next.removeAt(at);
    const bool ownSecret = before.at(at).toObject().value(QLatin1String("api_key_secret")).toString() == secretName(name);
    commit(before, next, QStringLiteral("upstreams.delete"), name, 200, actor, reply);
    if (ownSecret && m_services.removeSecret && indexOf(m_services.current(), name) < 0)
        m_services.removeSecret(secretName(name));
}

void AdminUpstreams::setEnabled(const QString &name, bool enabled, const QString &actor, const AdminReply &reply)
{
    const QJsonArray before = m_services.current();
    const int at = indexOf(before, name);
    if (at < 0)
        return AdminApi::fail(reply, 404, kNotFound, QStringLiteral("No upstream named '%1' in the config.").arg(name));
    QJsonObject entry = before.at(at).toObject();
    entry.insert(QLatin1String("enabled"), enabled);
    QJsonArray next = before;
    next.replace(at, entry);
    commit(before, next, enabled ? QStringLiteral("upstreams.enable") : QStringLiteral("upstreams.disable"), name, 200, actor, reply);
}

bool AdminUpstreams::commit(const QJsonArray &before, const QJsonArray &next, const QString &action, const QString &name, int status,
                            const QString &actor, const AdminReply &reply)
{
    QString error;
    int failStatus = 400;
    if (!m_services.apply(next, &error, &failStatus)) {
        AdminApi::fail(reply, failStatus, failStatus == 400 ? kInvalid : QStringLiteral("config_write_failed"), error);
        return false;
    }
    AuditEntry entry;
    entry.at = QDateTime::currentMSecsSinceEpoch();
    entry.actor = actor;
    entry.action = action;
    entry.target = name;
    entry.before = redacted(before);
    entry.after = redacted(next);
    if (m_services.store)
        m_services.store->audit(entry);
    QJsonObject answer{{"stored_in", m_services.storedIn()}};
    for (const UpstreamView &v : m_services.views())
        if (v.name == name)
            answer = UpstreamViewJson::toJson(v), answer.insert(QLatin1String("stored_in"), m_services.storedIn());
    AdminApi::respond(reply, status, answer);
    return true;
}

void AdminUpstreams::test(const QString &name, const AdminReply &reply)
{
    if (indexOf(m_services.current(), name) < 0) {
        bool known = false;
        for (const UpstreamView &v : m_services.views())
            known = known || v.name == name;
        if (!known)
            return AdminApi::fail(reply, 404, kNotFound, QStringLiteral("No upstream named '%1' in the config.").arg(name));
    }
    const AdminReply r = reply;
    m_services.test(name, [r](const UpstreamTestResult &result) { AdminApi::respond(r, 200, UpstreamViewJson::toJson(result)); });
}
