#include "EndpointUpstream.h"

#include "http/HttpRequest.h"
#include "http/HttpResponder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace {
QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray named(const QString &type, QJsonObject data, int *sequence)
{
    data.insert("type", type);
    data.insert("sequence_number", (*sequence)++);
    return "event: " + type.toUtf8() + "\ndata: " + json(data) + "\n\n";
}

struct Steering
{
    int outputTokens = 20;
    int intervalMs = 0;
    int inputTokens = 12;
    int cachedTokens = 0;
    int reasoningTokens = 0;
    bool usage = true;
    QString status = QStringLiteral("completed");

    explicit Steering(const HttpHeaders &h)
    {
        auto number = [&](const char *name, int fallback) {
            bool ok = false;
            const int v = h.value(name).toInt(&ok);
            return ok ? v : fallback;
        };
        outputTokens = number("x-up-output-tokens", outputTokens);
        intervalMs = number("x-up-interval-ms", intervalMs);
        inputTokens = number("x-up-input-tokens", inputTokens);
        cachedTokens = number("x-up-cached-tokens", cachedTokens);
        reasoningTokens = number("x-up-reasoning-tokens", reasoningTokens);
        usage = h.value("x-up-no-usage") != "1";
        if (!h.value("x-up-status").isEmpty())
            status = QString::fromUtf8(h.value("x-up-status"));
    }
    QString text() const { return QStringLiteral("abc ").repeated(outputTokens).trimmed(); }
    QJsonValue responsesUsage() const
    {
        if (!usage)
            return QJsonValue::Null;
        const int output = outputTokens + reasoningTokens;
        return QJsonObject{{"input_tokens", inputTokens}, {"input_tokens_details", QJsonObject{{"cached_tokens", cachedTokens}}},
                           {"output_tokens", output}, {"output_tokens_details", QJsonObject{{"reasoning_tokens", reasoningTokens}}},
                           {"total_tokens", inputTokens + output}};
    }
    QJsonObject chatUsage() const
    {
        return QJsonObject{{"prompt_tokens", inputTokens}, {"completion_tokens", outputTokens},
                           {"total_tokens", inputTokens + outputTokens},
                           {"prompt_tokens_details", QJsonObject{{"cached_tokens", cachedTokens}}}};
    }
};

QJsonObject responseObject(const QString &model, const QString &status, const QJsonArray &output, const QJsonValue &usage)
{
    return QJsonObject{{"id", "resp_0123456789abcdef"}, {"object", "response"}, {"created_at", 1741290958},
                       {"status", status}, {"error", QJsonValue::Null}, {"incomplete_details", QJsonValue::Null},
                       {"model", model}, {"output", output}, {"parallel_tool_calls", true}, {"usage", usage}};
}

QJsonObject message(const QString &text, const QString &status)
{
    return QJsonObject{{"id", "msg_0123456789abcdef"}, {"type", "message"}, {"status", status}, {"role", "assistant"},
                       {"content", QJsonArray{QJsonObject{{"type", "output_text"}, {"text", text}, {"annotations", QJsonArray{}}}}}};
}
} // namespace

EndpointUpstream::EndpointUpstream(QObject *parent) : QObject(parent)
{
    m_server.setHandler([this](const HttpRequest &r, HttpResponder *responder) { handle(r, responder); });
    m_server.listen(QHostAddress::LocalHost, 0);
}

void EndpointUpstream::handle(const HttpRequest &request, HttpResponder *responder)
{
    ++requests;
    lastBody = QJsonDocument::fromJson(request.body).object();
    const Steering s(request.headers);
    const QString model = lastBody.value("model").toString();
    const bool wantsStream = lastBody.value("stream").toBool();
    HttpHeaders jsonHeaders;
    jsonHeaders.add("content-type", "application/json");

    if (request.path == "/v1/responses") {
        if (!wantsStream) {
            const QJsonArray output{message(s.text(), "completed")};
            responder->respond(200, jsonHeaders, json(responseObject(model, s.status, output, s.responsesUsage())));
            return;
        }
        // The event sequence OpenAI sends for a plain text answer.
        int seq = 0;
        QList<QByteArray> events;
        const QJsonObject inProgress = responseObject(model, "in_progress", {}, QJsonValue::Null);
        events << named("response.created", {{"response", inProgress}}, &seq);
        events << named("response.in_progress", {{"response", inProgress}}, &seq);
        const QJsonObject item{{"id", "msg_0123456789abcdef"}, {"type", "message"}, {"status", "in_progress"},
                               {"role", "assistant"}, {"content", QJsonArray{}}};
        events << named("response.output_item.added", {{"output_index", 0}, {"item", item}}, &seq);
        const QJsonObject ids{{"item_id", "msg_0123456789abcdef"}, {"output_index", 0}, {"content_index", 0}};
        QJsonObject part = ids;
        part.insert("part", QJsonObject{{"type", "output_text"}, {"text", ""}, {"annotations", QJsonArray{}}});
        events << named("response.content_part.added", part, &seq);
        for (int i = 0; i < s.outputTokens; ++i) {
            QJsonObject delta = ids;
            delta.insert("delta", i == 0 ? "abc" : " abc");
            delta.insert("logprobs", QJsonArray{});
            events << named("response.output_text.delta", delta, &seq);
        }
        QJsonObject done = ids;
        done.insert("text", s.text());
        events << named("response.output_text.done", done, &seq);
        events << named("response.output_item.done", {{"output_index", 0}, {"item", message(s.text(), "completed")}}, &seq);
        const QJsonObject final = responseObject(model, s.status, QJsonArray{message(s.text(), "completed")}, s.responsesUsage());
        events << named("response." + s.status, {{"response", final}}, &seq);
        return stream(responder, events, s.intervalMs);
    }
    if (request.path == "/v1/embeddings") {
        const QJsonObject body{{"object", "list"}, {"model", model},
                               {"data", QJsonArray{QJsonObject{{"object", "embedding"}, {"index", 0},
                                                               {"embedding", QJsonArray{0.0023, -0.0093, 0.0158}}}}},
                               {"usage", QJsonObject{{"prompt_tokens", s.inputTokens}, {"total_tokens", s.inputTokens}}}};
        responder->respond(200, jsonHeaders, json(body));
        return;
    }
    if (request.path == "/v1/completions") {
        if (!wantsStream) {
            QJsonObject body{{"id", "cmpl-0123"}, {"object", "text_completion"}, {"model", model},
                             {"choices", QJsonArray{QJsonObject{{"text", s.text()}, {"index", 0}, {"finish_reason", "length"}}}}};
            if (s.usage)
                body.insert("usage", s.chatUsage());
            responder->respond(200, jsonHeaders, json(body));
            return;
        }
        QList<QByteArray> events;
        for (int i = 0; i < s.outputTokens; ++i) {
            const QJsonObject chunk{{"id", "cmpl-0123"}, {"object", "text_completion"}, {"model", model},
                                    {"choices", QJsonArray{QJsonObject{{"text", i == 0 ? "abc" : " abc"}, {"index", 0},
                                                                       {"finish_reason", QJsonValue::Null}}}}};
            events << "data: " + json(chunk) + "\n\n";
        }
        if (s.usage && lastBody.value("stream_options").toObject().value("include_usage").toBool())
            events << "data: " + json(QJsonObject{{"id", "cmpl-0123"}, {"object", "text_completion"}, {"choices", QJsonArray{}},
                                                  {"usage", s.chatUsage()}}) + "\n\n";
        events << "data: [DONE]\n\n";
        return stream(responder, events, s.intervalMs);
    }
    // Any other path: an answer with no usage in it.
    if (request.headers.value("x-up-sse") == "1") {
        QList<QByteArray> events;
        for (int i = 0; i < s.outputTokens; ++i)
            events << "data: " + json(QJsonObject{{"piece", "abc"}}) + "\n\n";
        return stream(responder, events, s.intervalMs);
    }
    responder->respond(200, jsonHeaders, json(QJsonObject{{"result", s.text()}}));
}

void EndpointUpstream::stream(HttpResponder *responder, QList<QByteArray> events, int intervalMs)
{
    HttpHeaders h;
    h.add("content-type", "text/event-stream; charset=utf-8");
    responder->beginStream(200, h);
    QPointer<HttpResponder> alive(responder);
    auto aborted = std::make_shared<bool>(false);
    connect(responder, &HttpResponder::clientGone, this, [this, aborted] {
        *aborted = true;
        ++clientAborts;
    });
    if (intervalMs <= 0) {
        for (const QByteArray &e : std::as_const(events))
            responder->writeChunk(e);
        responder->endStream();
        ++streamsFinished;
        return;
    }
    auto *timer = new QTimer(this);
    auto left = std::make_shared<QList<QByteArray>>(std::move(events));
    connect(timer, &QTimer::timeout, this, [this, timer, alive, left, aborted] {
        if (!alive || *aborted) {
            timer->deleteLater();
            return;
        }
        alive->writeChunk(left->takeFirst());
        if (left->isEmpty()) {
            alive->endStream();
            ++streamsFinished;
            timer->deleteLater();
        }
    });
    timer->start(intervalMs);
}
