#include "AdminReply.h"

#include "http/HttpResponder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

struct AdminReply::State
{
    QPointer<HttpResponder> responder;
    std::function<void(const AdminAnswer &)> done;
    bool sent = false;
};

AdminReply AdminReply::toResponder(HttpResponder *responder)
{
    auto state = std::make_shared<State>();
    state->responder = responder;
    return AdminReply(std::move(state));
}

AdminReply AdminReply::toCallback(std::function<void(const AdminAnswer &)> done)
{
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    return AdminReply(std::move(state));
}

bool AdminReply::wanted() const
{
    if (m_state->sent)
        return false;
    return m_state->done ? true : !m_state->responder.isNull();
}

void AdminReply::send(int status, const HttpHeaders &headers, const QByteArray &body) const
{
    if (!wanted())
        return;
    m_state->sent = true;
    if (m_state->done) {
        AdminAnswer answer;
        answer.status = status;
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        answer.body = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        m_state->done(answer);
        return;
    }
    m_state->responder->respond(status, headers, body);
}
