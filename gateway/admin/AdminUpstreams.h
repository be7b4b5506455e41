#pragma once

#include "upstream/UpstreamView.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

class AdminReply;
class UsageStore;
struct HttpRequest;

// The upstream routes of the admin API, which the console's Upstreams page uses too:
//   GET    /admin/v1/upstreams                    every upstream with its breaker, load and figures
//   GET    /admin/v1/upstreams/{name}             one of them
//   POST   /admin/v1/upstreams                    add one (the config file's upstream object)
//   PUT    /admin/v1/upstreams/{name}             replace one (a body without a key keeps the key)
//   DELETE /admin/v1/upstreams/{name}             remove one
//   POST   /admin/v1/upstreams/{name}/enable|disable
//   POST   /admin/v1/upstreams/{name}/test        one tiny request: its status and latency
//   GET    /admin/v1/upstream-presets             the providers TokenFuse knows
// A change is the config file's "upstreams" key rewritten (the file stays the one truth, and a
// reload applies it); a key pasted as "api_key" goes to the secret store, the file names it by
// "api_key_secret", and no answer ever holds it. Every change is audited as upstreams.<verb>.
class AdminUpstreams
{
public:
    struct Services
    {
        UsageStore *store = nullptr; // the audit
        std::function<QList<UpstreamView>()> views;
        std::function<bool()> simulatorOnly;
        // The "upstreams" array as the config file holds it now.
        std::function<QJsonArray()> current;
        // Validates the array as the config's upstreams, writes it to the config file and applies
        // it; the error names the bad key (`status` 400 for the caller's mistakes, else 500 or 409).
        std::function<bool(const QJsonArray &upstreams, QString *error, int *status)> apply;
        // Where changes are kept: "config file /path", or why they can't be.
        std::function<QString()> storedIn;
        // The secret store: a pasted key kept under `name`; false and *error when it can't be.
        std::function<bool(const QString &name, const QString &secret, QString *error)> storeSecret;
        std::function<void(const QString &name)> removeSecret;
        std::function<std::optional<QString>(const QString &name)> readSecret;
        // One tiny request to the named upstream; `done` runs on this thread.
        std::function<void(const QString &name, std::function<void(const UpstreamTestResult &)> done)> test;
        std::function<QJsonObject()> presets;
    };

    explicit AdminUpstreams(const Services &services) : m_services(services) {}

    static bool owns(const QByteArray &path)
    {
        return path == "/admin/v1/upstreams" || path.startsWith("/admin/v1/upstreams/") || path == "/admin/v1/upstream-presets";
    }
    void handle(const HttpRequest &request, const QByteArray &path, const QString &actor, const AdminReply &reply);

    // The secret store's entry for an upstream's pasted key.
    static QString secretName(const QString &upstream) { return QStringLiteral("upstream/") + upstream; }

private:
    void add(const HttpRequest &request, const QString &actor, const AdminReply &reply);
    void replace(const QString &name, const HttpRequest &request, const QString &actor, const AdminReply &reply);
    void remove(const QString &name, const QString &actor, const AdminReply &reply);
    void setEnabled(const QString &name, bool enabled, const QString &actor, const AdminReply &reply);
    void test(const QString &name, const AdminReply &reply);
    // The body as one upstream object, its pasted key moved to the secret store; none (answered) otherwise.
    std::optional<QJsonObject> entryFrom(const HttpRequest &request, const QString &name, const AdminReply &reply);
    // Applies `next`, audits, answers `status` with the upstream's view (or {} when removed).
    // A key stored for a change that was then refused is put back as it was.
    void undoSecret();
    bool commit(const QJsonArray &before, const QJsonArray &next, const QString &action, const QString &name, int status,
                const QString &actor, const AdminReply &reply);
    int indexOf(const QJsonArray &list, const QString &name) const;

    Services m_services;
    struct SecretUndo
    {
        QString name;
        std::optional<QString> previous;
    };
    std::optional<SecretUndo> m_secretUndo; // the key the change in progress stored, until it is applied
};
