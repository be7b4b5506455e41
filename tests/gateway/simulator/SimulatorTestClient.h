#pragma once

#include "http/HttpHeaders.h"
#include "upstream/UpstreamCall.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

#include <map>
#include <memory>
#include <vector>

class SimulatorServer;
class UpstreamClient;

// A client for the simulator tests: real HTTP requests to a simulator on 127.0.0.1, the replies
// collected as they arrive, plus the event-stream and JSON readers the assertions need.
class SimulatorTestClient : public QObject
{
    Q_OBJECT
public:
    // What the client saw of one exchange.
    struct Reply
    {
        int status = 0;
        HttpHeaders headers;
        QByteArray body;
        bool finished = false;
        bool failed = false;
        UpstreamCall::Failure failure = UpstreamCall::Failure::None;
        qint64 headMs = -1; // since the request was started
        qint64 firstDataMs = -1;
        qint64 endMs = -1;
        bool done() const { return finished || failed; }
    };
    struct Event
    {
        QByteArray name;
        QByteArray data;
        QJsonObject json() const { return SimulatorTestClient::json(data); }
    };

    explicit SimulatorTestClient(quint16 port);
    ~SimulatorTestClient() override;

    std::shared_ptr<Reply> start(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {},
                                 const QByteArray &method = "POST", UpstreamCall **callOut = nullptr);
    // Starts the request and waits until it is done or timeoutMs passed (then neither flag is set).
    Reply request(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {},
                  const QByteArray &method = "POST", int timeoutMs = 10'000);

    // Splits an event stream; *clean is false unless every event ends with a blank line and
    // holds only `event:` and `data:` lines.
    static QList<Event> events(const QByteArray &body, bool *clean);
    static QJsonObject json(const QByteArray &bytes, bool *ok = nullptr);
    static HttpHeaders headers(std::initializer_list<std::pair<QByteArray, QByteArray>> fields);
    // A simulator listening on 127.0.0.1 with the profile the wire tests share (no pacing, 12
    // completion tokens); nothing, with *error saying why, when it cannot listen.
    static std::unique_ptr<SimulatorServer> startSimulator(QString *error);
    // The HTTP client used for one path, for tests that drive calls themselves.
    UpstreamClient *client(const QByteArray &path);

private:
    quint16 m_port;
    // One client per path: a kept-alive UpstreamConnection re-sends the path of its first request.
    std::map<QByteArray, std::unique_ptr<UpstreamClient>> m_clients;
    std::vector<std::unique_ptr<UpstreamCall>> m_calls;
};
