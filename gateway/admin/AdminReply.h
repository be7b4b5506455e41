#pragma once

#include "AdminCall.h"
#include "http/HttpHeaders.h"

#include <functional>
#include <memory>

class HttpResponder;

// Where one admin call's answer goes: to the HTTP client that asked (if it is still connected), or
// to the console's callback. Copyable, so a handler can keep it in a lambda until the store has
// saved a change; only the first answer is sent.
class AdminReply
{
public:
    using Sink = std::function<void(int status, const HttpHeaders &headers, const QByteArray &body)>;

    static AdminReply toResponder(HttpResponder *responder);
    static AdminReply toCallback(std::function<void(const AdminAnswer &)> done);

    void send(int status, const HttpHeaders &headers, const QByteArray &body) const;
    // False once the HTTP client has gone or an answer was sent: nothing would be delivered.
    bool wanted() const;

private:
    struct State;
    explicit AdminReply(std::shared_ptr<State> state) : m_state(std::move(state)) {}
    std::shared_ptr<State> m_state;
};
