#include "SimulatorServer.h"

#include "SimulatorChatRequest.h"
#include "SimulatorCompletionsRequest.h"
#include "SimulatorCompletionsWire.h"
#include "SimulatorEmbeddingsRequest.h"
#include "SimulatorEmbeddingsWire.h"
#include "SimulatorExchange.h"
#include "SimulatorJson.h"
#include "SimulatorPacer.h"
#include "SimulatorResponsesRequest.h"
#include "SimulatorResponsesWire.h"
#include "SimulatorText.h"
#include "SimulatorWire.h"
#include "http/HttpResponder.h"
#include "http/HttpServer.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace {
const QByteArray kChatPath = "/v1/chat/completions";
const QByteArray kMessagesPath = "/v1/messages";
const QByteArray kCountTokensPath = "/v1/messages/count_tokens";
const QByteArray kResponsesPath = "/v1/responses";
const QByteArray kEmbeddingsPath = "/v1/embeddings";
const QByteArray kCompletionsPath = "/v1/completions";
const QByteArray kModelsPath = "/v1/models";
const QByteArray kHealthPath = "/healthz";

struct ListedModel
{
    const char *id;
    const char *displayName;
};
// What GET /v1/models lists; the chat endpoints accept any model name at all.
constexpr ListedModel kModels[] = {
    {"tokenfuse-sim-mini", "TokenFuse Simulator Mini"},
    {"tokenfuse-sim-standard", "TokenFuse Simulator Standard"},
    {"tokenfuse-sim-large", "TokenFuse Simulator Large"},
};
constexpr qint64 kModelsCreated = 1735689600; // 2025-01-01, a fixed date keeps the list deterministic

ApiDialect dialectFor(const QByteArray &path)
{
    return path.startsWith(kMessagesPath) ? ApiDialect::Anthropic : ApiDialect::OpenAi;
}

// Request ids in the providers' own shape; random, since only the text has to be deterministic.
QByteArray randomId(const char *prefix, int length)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QByteArray id(prefix);
    auto *rng = QRandomGenerator::global();
    for (int i = 0; i < length; ++i)
        id += alphabet[rng->bounded(62)];
    return id;
}

void sendJson(HttpResponder *responder, int status, const QByteArray &body, HttpHeaders headers = {})
{
    headers.set("content-type", "application/json");
    responder->respond(status, headers, body);
}

void sendError(HttpResponder *responder, ApiDialect dialect, const SimulatorError &error, HttpHeaders headers = {})
{
    sendJson(responder, error.status, error.body(dialect), std::move(headers));
}

SimulatorError errorWith(int status, const QString &message)
{
    SimulatorError e;
    e.status = status;
    e.message = message;
    return e;
}

QByteArray openAiModel(const QByteArray &id)
{
    return R"({"id":)" + SimulatorJson::string(id) + R"(,"object":"model","created":)" + QByteArray::number(kModelsCreated)
        + R"(,"owned_by":"tokenfuse"})";
}

QByteArray anthropicModel(const QByteArray &id, const QByteArray &displayName)
{
    return R"({"type":"model","id":)" + SimulatorJson::string(id) + R"(,"display_name":)" + SimulatorJson::string(displayName)
        + R"(,"created_at":")" + QDateTime::fromSecsSinceEpoch(kModelsCreated, Qt::UTC).toString(Qt::ISODate).toUtf8() + "\"}";
}
} // namespace

SimulatorServer::SimulatorServer(QObject *parent)
    : QObject(parent), m_pacer(std::make_unique<SimulatorPacer>([this](quint64 id) { return runStep(id); })),
      m_http(new HttpServer(this))
{
    m_postRoutes = {
        {kChatPath, &SimulatorServer::openAiChat},
        {kMessagesPath, &SimulatorServer::anthropicMessages},
        {kResponsesPath, &SimulatorServer::responses},
        {kEmbeddingsPath, &SimulatorServer::embeddings},
        {kCompletionsPath, &SimulatorServer::completions},
        {kCountTokensPath, &SimulatorServer::countTokens},
    };
    m_http->setHandler([this](const HttpRequest &request, HttpResponder *responder) { handle(request, responder); });
    // Errors the HTTP layer answers itself (malformed HTTP, too large, too slow) in the right dialect too.
    m_http->setErrorFormatter([](const QByteArray &path, int status, const QString &message) {
        return errorWith(status, message).body(dialectFor(path));
    });
}

SimulatorServer::~SimulatorServer()
{
    // Exchanges only point at responders; the connections that own those go with m_http.
    m_exchanges.clear();
}

bool SimulatorServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    // QTcpServer's default backlog of 50 drops the SYNs of a burst of new connections, and each
    // dropped one costs its client a one-second retransmit: a benchmark opening 2,000 streams at
    // once would measure that instead of the gateway. The kernel caps this at somaxconn.
    m_http->setListenBacklogSize(4096);
    if (m_http->listen(address, port))
        return true;
    if (error)
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_http->errorString());
    return false;
}

quint16 SimulatorServer::port() const
{
    return m_http->serverPort();
}

void SimulatorServer::close()
{
    m_http->close();
}

void SimulatorServer::handle(const HttpRequest &request, HttpResponder *responder)
{
    ++m_requestsServed;
    const QByteArray &path = request.path;
    const ApiDialect dialect = dialectFor(path);
    const bool isGet = request.method == "GET";
    const bool isPost = request.method == "POST";

    if (request.method == "HEAD") {
        // A HEAD answer must carry no body, and HttpResponder::respond() writes whatever it is
        // given: answer the probe (curl -I) with the status alone.
        const bool known = path == kHealthPath || path == kModelsPath || path.startsWith(kModelsPath + '/');
        HttpHeaders headers;
        if (!known)
            headers.add("allow", "POST");
        responder->respond(known ? 200 : 405, headers, {});
        return;
    }

    auto wrongMethod = [&](const QByteArray &allowed) {
        HttpHeaders headers;
        headers.add("allow", allowed);
        sendError(responder, dialect,
                  errorWith(405, QStringLiteral("Invalid method for URL (%1 %2)").arg(QString::fromLatin1(request.method), QString::fromUtf8(path))),
                  headers);
    };

    if (path == kHealthPath) {
        if (!isGet)
            return wrongMethod("GET");
        return sendJson(responder, 200, R"({"status":"ok","streams_open":)" + QByteArray::number(m_streamsOpen) + "}");
    }
    if (path == kModelsPath || path.startsWith(kModelsPath + '/')) {
        if (!isGet)
            return wrongMethod("GET");
        return models(request, responder);
    }
    const auto route = m_postRoutes.find(path);
    if (route == m_postRoutes.end()) {
        return sendError(responder, dialect,
                         errorWith(404, dialect == ApiDialect::Anthropic
                                            ? QStringLiteral("Not found: %1 %2").arg(QString::fromLatin1(request.method), QString::fromUtf8(path))
                                            : QStringLiteral("Invalid URL (%1 %2)").arg(QString::fromLatin1(request.method), QString::fromUtf8(path))));
    }
    if (!isPost)
        return wrongMethod("POST");

    SimulatorProfile knobs;
    QString knobError;
    if (!knobsFor(request, &knobs, &knobError))
        return sendError(responder, dialect, errorWith(400, QStringLiteral("Simulator header rejected: %1").arg(knobError)));
    if (injectEarlyFault(dialect, knobs, responder))
        return;
    (this->*route->second)(request, responder, knobs);
}

bool SimulatorServer::knobsFor(const HttpRequest &request, SimulatorProfile *knobs, QString *error) const
{
    *knobs = m_profile;
    bool faultsReplaced = false;
    for (const auto &field : request.headers.fields()) {
        if (!field.first.startsWith("x-sim-"))
            continue;
        // A request's fault header replaces the server's faults rather than adding to them, so one
        // request can opt out of a server-wide fault with `x-sim-fault: none`.
        if (field.first == "x-sim-fault" && !faultsReplaced) {
            knobs->clearFaults();
            faultsReplaced = true;
        }
        // Values as UTF-8, so x-sim-tool-args can carry any JSON text.
        if (!knobs->applyOption(QString::fromLatin1(field.first), QString::fromUtf8(field.second), error))
            return false;
    }
    return true;
}

bool SimulatorServer::injectEarlyFault(ApiDialect dialect, const SimulatorProfile &knobs, HttpResponder *responder)
{
    if (knobs.faultStatus != 0) {
        HttpHeaders headers;
        if (knobs.retryAfterSeconds > 0)
            headers.add("retry-after", QByteArray::number(knobs.retryAfterSeconds));
        SimulatorError e = errorWith(knobs.faultStatus,
                                     QStringLiteral("Simulated error: HTTP %1, injected by the TokenFuse simulator (fault status:%1).").arg(knobs.faultStatus));
        if (dialect == ApiDialect::OpenAi && knobs.faultStatus == 429)
            e.code = "rate_limit_exceeded";
        sendError(responder, dialect, e, headers);
        return true;
    }
    if (knobs.hang) {
        start(std::make_unique<SimulatorExchange>(SimulatorExchange::Kind::Hang, responder, nullptr, knobs, m_pacer->now()),
              responder);
        return true;
    }
    return false;
}

void SimulatorServer::fillAnswer(SimulatorAnswer *answer, quint64 seed, int maxTokens, const SimulatorToolRequest &tools,
                                 const char *callIdPrefix, int callIdLength, const SimulatorProfile &knobs) const
{
    answer->created = QDateTime::currentSecsSinceEpoch();
    answer->omitUsage = knobs.omitUsage;
    QList<QByteArray> tokens;
    if (auto call = SimulatorToolCall::plan(tools, knobs, seed)) {
        call->id = randomId(callIdPrefix, callIdLength);
        tokens = SimulatorToolCall::fragments(call->arguments);
        answer->toolCall = *call;
    }
    int length = answer->toolCall ? int(tokens.size()) : knobs.completionTokens;
    if (maxTokens >= 0 && maxTokens < length && !knobs.ignoreMaxTokens) {
        length = maxTokens;
        answer->cut = true;
    }
    if (answer->toolCall)
        answer->tokens = tokens.mid(0, length);
    else
        answer->tokens = SimulatorText::tokens(seed, length, answer->cut);
}

void SimulatorServer::openAiChat(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    chat(ApiDialect::OpenAi, request, responder, knobs);
}

void SimulatorServer::anthropicMessages(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    chat(ApiDialect::Anthropic, request, responder, knobs);
}

void SimulatorServer::chat(ApiDialect dialect, const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    SimulatorError error;
    const auto parsed = SimulatorChatRequest::parse(dialect, SimulatorChatRequest::Purpose::Completion, request.body, &error);
    if (!parsed)
        return sendError(responder, dialect, error);

    SimulatorAnswer answer;
    const bool anthropic = dialect == ApiDialect::Anthropic;
    answer.id = anthropic ? randomId("msg_01", 22) : randomId("chatcmpl-", 29);
    answer.model = parsed->model;
    answer.promptTokens = parsed->promptTokens;
    answer.includeUsage = parsed->includeUsage;
    fillAnswer(&answer, parsed->seed, parsed->maxTokens, parsed->tools, anthropic ? "toolu_01" : "call_", anthropic ? 22 : 24, knobs);

    const auto kind = parsed->stream ? SimulatorExchange::Kind::Stream : SimulatorExchange::Kind::Whole;
    start(std::make_unique<SimulatorExchange>(kind, responder, SimulatorWire::create(dialect, answer), knobs, m_pacer->now()),
          responder);
}

void SimulatorServer::responses(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    SimulatorError error;
    const auto parsed = SimulatorResponsesRequest::parse(request.body, &error);
    if (!parsed)
        return sendError(responder, ApiDialect::OpenAi, error);

    SimulatorAnswer answer;
    answer.id = randomId("resp_", 48);
    answer.model = parsed->model;
    answer.promptTokens = parsed->promptTokens;
    fillAnswer(&answer, parsed->seed, parsed->maxOutputTokens, parsed->tools, "call_", 24, knobs);

    const auto kind = parsed->stream ? SimulatorExchange::Kind::Stream : SimulatorExchange::Kind::Whole;
    start(std::make_unique<SimulatorExchange>(kind, responder, std::make_unique<SimulatorResponsesWire>(answer, *parsed), knobs,
                                              m_pacer->now()),
          responder);
}

void SimulatorServer::completions(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    SimulatorError error;
    const auto parsed = SimulatorCompletionsRequest::parse(request.body, &error);
    if (!parsed)
        return sendError(responder, ApiDialect::OpenAi, error);

    SimulatorAnswer answer;
    answer.id = randomId("cmpl-", 29);
    answer.model = parsed->model;
    answer.promptTokens = parsed->promptTokens;
    answer.includeUsage = parsed->includeUsage;
    // A text completion never calls tools, whatever the script says.
    SimulatorProfile textOnly = knobs;
    textOnly.toolCallName.clear();
    fillAnswer(&answer, parsed->seed, parsed->maxTokens, {}, "", 0, textOnly);

    const auto kind = parsed->stream ? SimulatorExchange::Kind::Stream : SimulatorExchange::Kind::Whole;
    start(std::make_unique<SimulatorExchange>(kind, responder, std::make_unique<SimulatorCompletionsWire>(answer), knobs,
                                              m_pacer->now()),
          responder);
}

void SimulatorServer::embeddings(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &knobs)
{
    SimulatorError error;
    const auto parsed = SimulatorEmbeddingsRequest::parse(request.body, &error);
    if (!parsed)
        return sendError(responder, ApiDialect::OpenAi, error);

    SimulatorAnswer answer;
    answer.id = randomId("emb-", 29);
    answer.model = parsed->model;
    answer.promptTokens = parsed->promptTokens;
    answer.omitUsage = knobs.omitUsage;
    // No tokens to generate: the vectors are ready after the time to first token.
    start(std::make_unique<SimulatorExchange>(SimulatorExchange::Kind::Whole, responder,
                                              std::make_unique<SimulatorEmbeddingsWire>(answer, *parsed), knobs, m_pacer->now()),
          responder);
}

void SimulatorServer::countTokens(const HttpRequest &request, HttpResponder *responder, const SimulatorProfile &)
{
    SimulatorError error;
    const auto parsed = SimulatorChatRequest::parse(ApiDialect::Anthropic, SimulatorChatRequest::Purpose::CountTokens,
                                                    request.body, &error);
    if (!parsed)
        return sendError(responder, ApiDialect::Anthropic, error);
    sendJson(responder, 200, R"({"input_tokens":)" + QByteArray::number(parsed->promptTokens) + "}");
    ++m_responsesCompleted;
}

void SimulatorServer::models(const HttpRequest &request, HttpResponder *responder)
{
    // Anthropic's SDK lists models at the same path; its requests carry anthropic-version.
    const bool anthropic = request.headers.contains("anthropic-version");
    const QByteArray one = request.path.mid(kModelsPath.size() + 1);
    if (!one.isEmpty()) {
        const QByteArray id = QByteArray::fromPercentEncoding(one);
        QByteArray displayName = id;
        for (const ListedModel &m : kModels) {
            if (id == m.id)
                displayName = m.displayName;
        }
        sendJson(responder, 200, anthropic ? anthropicModel(id, displayName) : openAiModel(id));
        ++m_responsesCompleted;
        return;
    }
    QByteArray data;
    for (const ListedModel &m : kModels) {
        if (!data.isEmpty())
            data += ',';
        data += anthropic ? anthropicModel(m.id, m.displayName) : openAiModel(m.id);
    }
    const QByteArray body = anthropic
        ? R"({"data":[)" + data + R"(],"has_more":false,"first_id":")" + kModels[0].id + R"(","last_id":")"
            + kModels[std::size(kModels) - 1].id + "\"}"
        : R"({"object":"list","data":[)" + data + "]}";
    sendJson(responder, 200, body);
    ++m_responsesCompleted;
}

void SimulatorServer::start(std::unique_ptr<SimulatorExchange> exchange, HttpResponder *responder)
{
    const quint64 id = m_nextId++;
    SimulatorExchange *ex = exchange.get();
    m_exchanges.emplace(id, std::move(exchange));
    connect(responder, &HttpResponder::clientGone, this, [this, id] { onClientGone(id); });
    if (ex->kind() == SimulatorExchange::Kind::Stream) {
        ++m_streamsOpen;
        ex->begin();
        // A failed write can lose the client inside begin(); onClientGone() has then finished it.
        if (m_exchanges.find(id) == m_exchanges.end())
            return;
    }
    const qint64 due = ex->firstDueMs();
    if (due < 0)
        return; // a hanging request: nothing to do until its client gives up
    if (due > m_pacer->now()) {
        m_pacer->schedule(id, due);
        return;
    }
    const qint64 next = runStep(id);
    if (next >= 0)
        m_pacer->schedule(id, next);
}

qint64 SimulatorServer::runStep(quint64 id)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end())
        return -1;
    m_stepping = id;
    m_steppingLost = false;
    const qint64 next = it->second->step(m_pacer->now());
    m_stepping = 0;
    if (m_steppingLost || next < 0) {
        finish(id);
        return -1;
    }
    return next;
}

void SimulatorServer::finish(quint64 id)
{
    const auto it = m_exchanges.find(id);
    if (it == m_exchanges.end())
        return;
    if (it->second->completed())
        ++m_responsesCompleted;
    if (it->second->kind() == SimulatorExchange::Kind::Stream)
        --m_streamsOpen;
    m_exchanges.erase(it);
}

void SimulatorServer::onClientGone(quint64 id)
{
    if (m_exchanges.find(id) == m_exchanges.end())
        return;
    ++m_clientAborts;
    if (m_stepping == id)
        m_steppingLost = true; // runStep() finishes it once step() has returned
    else
        finish(id);
}
