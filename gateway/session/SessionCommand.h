#pragma once

#include <QMetaType>
#include <QString>

// A kill switch pulled from the console or the admin API: a copyable value, so the console can
// queue it to the gateway thread (GatewayHost::command) without touching the gateway.
struct SessionCommand
{
    enum class Action { KillSession, ResumeSession, KillTenant, ResumeTenant, StopAll, ResumeAll };

    Action action = Action::KillSession;
    QString target; // the session or tenant id; empty for StopAll / ResumeAll
    QString reason; // optional, for the audit table and the refusal message

    static SessionCommand killSession(const QString &id, const QString &reason = {}) { return {Action::KillSession, id, reason}; }
    static SessionCommand resumeSession(const QString &id) { return {Action::ResumeSession, id, {}}; }
    static SessionCommand killTenant(const QString &id, const QString &reason = {}) { return {Action::KillTenant, id, reason}; }
    static SessionCommand resumeTenant(const QString &id) { return {Action::ResumeTenant, id, {}}; }
    static SessionCommand stopAll(const QString &reason = {}) { return {Action::StopAll, {}, reason}; }
    static SessionCommand resumeAll() { return {Action::ResumeAll, {}, {}}; }
};
Q_DECLARE_METATYPE(SessionCommand)

// What a SessionCommand did: for the console's status line and the admin API's answer.
struct SessionCommandResult
{
    bool ok = false;
    int cancelled = 0;   // streams and requests in flight that were ended
    QString message;     // for people: "Killed session agent-7: 2 streams ended." or why not
};
Q_DECLARE_METATYPE(SessionCommandResult)
