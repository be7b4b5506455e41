#include "AdminRateLimits.h"

#include "AdminApi.h"
#include "budget/RateLimiter.h"
#include "config/ConfigFileWriter.h"
#include "http/HttpRequest.h"
#include "store/UsageStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

void AdminRateLimits::handle(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    if (request.method == "GET")
        return get(reply);
    if (request.method == "PUT")
        return put(request, actor, reply);
    AdminApi::methodNotAllowed(reply, "/admin/v1/rate_limits", request.method, "GET or PUT");
}

QString AdminRateLimits::storedIn() const
{
    return AdminApi::storedIn(m_services.configPath, m_services.inConfig);
}

void AdminRateLimits::get(const AdminReply &reply)
{
    AdminApi::respond(reply, 200, QJsonObject{{"rate_limits", RateLimitRule::listToJson(m_services.rates->rules())},
                                              {"stored_in", storedIn()}});
}

void AdminRateLimits::put(const HttpRequest &request, const QString &actor, const AdminReply &reply)
{
    const std::optional<QJsonValue> value = AdminApi::rulesBody(request, QStringLiteral("rate_limits"), reply);
    if (!value)
        return;
    QString error;
    const std::optional<QList<RateLimitRule>> rules = RateLimitRule::listFromJson(*value, &error);
    if (!rules)
        return AdminApi::fail(reply, 400, QStringLiteral("invalid_request_error"), error);
    const QString what = QStringLiteral("The rate limits were not changed");
    if (!m_services.store->isWritable())
        return AdminApi::failStore(reply, what, m_services.store->failure());
    AuditEntry entry;
    entry.at = QDateTime::currentMSecsSinceEpoch();
    entry.actor = actor;
    entry.action = QStringLiteral("rate_limits.put");
    entry.target = QStringLiteral("rate_limits");
    entry.before = RateLimitRule::listToJson(m_services.rates->rules());
    entry.after = RateLimitRule::listToJson(*rules);
    const bool inConfig = m_services.inConfig && !m_services.configPath.isEmpty();
    QByteArray fileBefore;
    if (inConfig && !AdminApi::writeBack(reply, m_services.configPath, QStringLiteral("rate_limits"), entry.after, what, &fileBefore))
        return;
    const QList<RateLimitRule> before = m_services.rates->rules();
    // In force from the next admission on; the windows keep their history (RateLimiter).
    m_services.rates->setRules(*rules);
    const AdminReply r = reply;
    RateLimiter *rates = m_services.rates;
    const QString storedAt = storedIn();
    const QString configPath = inConfig ? m_services.configPath : QString();
    m_services.store->saveRateLimits(entry.after.toArray(), entry, [=](const StoreOutcome &saved) {
        if (!saved.committed()) {
            // Not saved, so not in force either (unless another PUT has replaced them meanwhile).
            if (RateLimitRule::listToJson(rates->rules()) == entry.after)
                rates->setRules(before);
            QString ignored;
            if (!configPath.isEmpty())
                ConfigFileWriter::restore(configPath, fileBefore, &ignored);
            AdminApi::failStore(r, what, saved.error);
            return;
        }
        AdminApi::respond(r, 200, QJsonObject{{"rate_limits", RateLimitRule::listToJson(rates->rules())}, {"stored_in", storedAt}});
    });
}
