#pragma once

#include "SimulatorAnswer.h"
#include "SimulatorProfile.h"
#include "dialect/ApiDialect.h"

#include <QHostAddress>
#include <QObject>

#include <map>
#include <memory>
#include <unordered_map>

class HttpResponder;
class HttpServer;
class SimulatorExchange;
class SimulatorPacer;
struct HttpRequest;

// The built-in simulated LLM provider: an HTTP server speaking OpenAI Chat Completions, Responses,
// Completions and Embeddings and Anthropic Messages with deterministic answers and tool calls, a configurable pace and injectable
// faults. It lets agents be tested offline for free and is the upstream of TokenFuse's own tests
// and benchmarks. All of it runs on the thread it lives in, without blocking: one shared pacer
// drives every open stream.
class SimulatorServer : public QObject
{
    Q_OBJECT
public:
    explicit SimulatorServer(QObject *parent = nullptr);
    ~SimulatorServer() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    quint16 port() const;
    // Stops accepting connections; answers in progress carry on.
    void close();

    // Server-wide knobs; each request may override them with x-sim-... headers.
    void setProfile(const SimulatorProfile &profile) { m_profile = profile; }
    const SimulatorProfile &profile() const { return m_profile; }

    // Counters, so a test can tell what a gateway did to its upstream.
    // Every request the simulator received, whatever it answered.
    quint64 requestsServed() const { return m_requestsServed; }
    // Answers written to the end (whole bodies and streams through their last event).
    quint64 responsesCompleted() const { return m_responsesCompleted; }
    // Event streams begun and not yet ended, dropped or abandoned.
    int streamsOpen() const { return m_streamsOpen; }
    // Requests whose client closed the connection before the answer was complete
    // (a stream cut off, a slow whole answer or a hanging request given up on).
    quint64 clientAborts() const { return m_clientAborts; }
    // Answers still in progress: open streams, whole answers waiting for their time, hanging requests.
    int exchangesPending() const { return int(m_exchanges.size()); }

private:
    void handle(const HttpRequest &request, HttpResponder *responder);
    // A POST endpoint's handler, called with the request's knobs once the early faults had their say.
    using PostHandler = void (SimulatorServer::*)(const HttpRequest &, HttpResponder *, const SimulatorProfile &);
    void openAiChat(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void anthropicMessages(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void chat(ApiDialect dialect, const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void responses(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void completions(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void embeddings(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    void countTokens(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs);
    // The answer's tokens: the tool call the request gets (with an id of the given shape) or text
    // from the seed, cut at maxTokens (-1: no limit).
    void fillAnswer(SimulatorAnswer *answer, quint64 seed, int maxTokens, const SimulatorToolRequest &tools,
                    const char *callIdPrefix, int callIdLength, const SimulatorProfile &knobs) const;
    void models(const HttpRequest &request, HttpResponder *responder);
    // The request's knobs: the profile with its x-sim-... headers applied.
    bool knobsFor(const HttpRequest &request, SimulatorProfile *knobs, QString *error) const;
    // The status and hang faults, which answer before the body is even looked at, as a real
    // provider's rate limiter does. Returns true when the request is taken care of.
    bool injectEarlyFault(ApiDialect dialect, const SimulatorProfile &knobs, HttpResponder *responder);
    void start(std::unique_ptr<SimulatorExchange> exchange, HttpResponder *responder);
    qint64 runStep(quint64 id);
    void finish(quint64 id);
    void onClientGone(quint64 id);

    std::unique_ptr<SimulatorPacer> m_pacer;
    HttpServer *m_http; // child
    SimulatorProfile m_profile;
    std::map<QByteArray, PostHandler> m_postRoutes; // path -> handler
    std::unordered_map<quint64, std::unique_ptr<SimulatorExchange>> m_exchanges;
    quint64 m_nextId = 1;
    quint64 m_stepping = 0;     // the exchange inside step(), which must outlive it
    bool m_steppingLost = false; // ... and whose client left meanwhile
    quint64 m_requestsServed = 0;
    quint64 m_responsesCompleted = 0;
    quint64 m_clientAborts = 0;
    int m_streamsOpen = 0;
};
