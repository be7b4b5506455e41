#pragma once

#include "AdminReply.h"

#include <QByteArray>
#include <QString>

class RateLimiter;
class UsageStore;
struct HttpRequest;

// The admin routes of the rate limits:
//   GET /admin/v1/rate_limits   the rules in force, as the config file's "rate_limits", and where they are kept
//   PUT /admin/v1/rate_limits   replaces them (the array, or {"rate_limits": [...]}): in force at once,
//                               audited as rate_limits.put, stored so they survive a restart
class AdminRateLimits
{
public:
    struct Services
    {
        RateLimiter *rates = nullptr;
        UsageStore *store = nullptr;
        QString configPath;      // the config file, empty when none
        bool inConfig = false;   // the file has "rate_limits": a PUT rewrites that key too
    };

    explicit AdminRateLimits(const Services &services) : m_services(services) {}

    void setInConfig(bool inConfig) { m_services.inConfig = inConfig; }

    static bool owns(const QByteArray &path) { return path == "/admin/v1/rate_limits"; }
    void handle(const HttpRequest &request, const QString &actor, const AdminReply &reply);

private:
    void get(const AdminReply &reply);
    void put(const HttpRequest &request, const QString &actor, const AdminReply &reply);
    QString storedIn() const;

    Services m_services;
};
