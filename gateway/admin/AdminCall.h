#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QMetaType>
#include <QString>

// One admin API call made in-process, by the console: the same routes, handlers, validation
// messages and audit entries as over HTTP, without a socket or the bearer token (the console is
// the owner's own process). Copyable, so it crosses threads by a queued signal.
struct AdminCall
{
    QByteArray method = "GET";
    QByteArray path;   // "/admin/v1/budgets"
    QByteArray query;  // "from=...&group_by=day", no '?'
    QByteArray body;   // JSON

    static AdminCall get(const QByteArray &path, const QByteArray &query = {}) { return {"GET", path, query, {}}; }
    static AdminCall post(const QByteArray &path, const QByteArray &body = "{}") { return {"POST", path, {}, body}; }
    static AdminCall put(const QByteArray &path, const QByteArray &body) { return {"PUT", path, {}, body}; }
    static AdminCall del(const QByteArray &path) { return {"DELETE", path, {}, {}}; }
};
Q_DECLARE_METATYPE(AdminCall)

// Its answer: the HTTP status and JSON body the admin API would have sent.
struct AdminAnswer
{
    int status = 0;
    QJsonValue body;

    bool ok() const { return status >= 200 && status < 300; }
    // The admin API's error message ({"error": {"message": ...}}), empty on success.
    QString errorMessage() const;
    QString errorType() const;
};
Q_DECLARE_METATYPE(AdminAnswer)
