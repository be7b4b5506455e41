#include "ResponsesDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
QString typeOf(const QJsonObject &event)
{
    return event.value(QLatin1String("type")).toString();
}

bool isTerminal(const QString &type)
{
    return type == QLatin1String("response.completed") || type == QLatin1String("response.incomplete")
        || type == QLatin1String("response.failed");
}

// Responses events are named (`event: response.output_text.delta`) and say their type again in
// the data; every event carries a sequence_number, which the error events TokenFuse adds continue.
class ResponsesStreamMeter : public StreamMeter
{
public:
    QByteArray inSequence(const QByteArray &events) const override
    {
        QByteArray out;
        // The event that crossed a budget was never forwarded: the client's numbering ends before it.
        qint64 next = (wasStopped() ? m_forwardedSequence : m_lastSequence) + 1;
        SseParser parser;
        for (const SseEvent &e : parser.feed(events)) {
            QJsonObject o = QJsonDocument::fromJson(e.data).object();
            o.insert(QLatin1String("sequence_number"), next++);
            if (o.contains(QLatin1String("response")) && !m_responseId.isEmpty()) {
                QJsonObject response = o.value(QLatin1String("response")).toObject();
                response.insert(QLatin1String("id"), m_responseId);
                o.insert(QLatin1String("response"), response);
            }
            out += "event: " + e.event + "\ndata: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
        }
        return out;
    }

protected:
    Verdict inspect(const SseEvent &event) override
    {
        if (event.data.isEmpty())
            return Verdict::Forward;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data);
        if (!doc.isObject()) {
            ++m_malformed;
            return Verdict::Forward;
        }
        const QJsonObject o = doc.object();
        const QString type = typeOf(o).isEmpty() ? QString::fromUtf8(event.event) : typeOf(o);
        m_forwardedSequence = m_lastSequence;
        m_lastSequence = qMax(m_lastSequence, o.value(QLatin1String("sequence_number")).toInteger(m_lastSequence));
        const QJsonObject response = o.value(QLatin1String("response")).toObject();
        if (m_responseId.isEmpty())
            m_responseId = response.value(QLatin1String("id")).toString();
        if (type.endsWith(QLatin1String(".delta"))) {
            // Text, tool-call arguments, reasoning and refusals; audio deltas are base64 of sound,
            // not text (their transcript deltas are counted).
            const QJsonValue delta = o.value(QLatin1String("delta"));
            if (delta.isString() && !type.endsWith(QLatin1String("audio.delta"))) {
                countText(delta.toString(), type == QLatin1String("response.output_text.delta")
                                                || type == QLatin1String("response.refusal.delta"));
                noteContent();
            }
            return Verdict::Forward;
        }
        if (type == QLatin1String("error")) {
            m_sawError = true;
            const QJsonObject nested = o.value(QLatin1String("error")).toObject();
            m_errorMessage = nested.isEmpty() ? o.value(QLatin1String("message")).toString()
                                              : nested.value(QLatin1String("message")).toString();
            return Verdict::Forward;
        }
        if (!isTerminal(type))
            return Verdict::Forward;
        const QJsonValue usage = response.value(QLatin1String("usage"));
        if (usage.isObject()) {
            m_reported = ResponsesDialect::usageFromJson(usage.toObject());
            m_sawUsage = true;
        }
        if (type == QLatin1String("response.failed")) {
            m_sawError = true;
            m_errorMessage = response.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
        }
        return Verdict::Terminal;
    }

private:
    qint64 m_lastSequence = -1;
    qint64 m_forwardedSequence = -1; // the one before the last: the last the client has, if a gate stopped the stream
    QString m_responseId;
};

QByteArray namedEvent(const char *name, const QJsonObject &data)
{
    return QByteArray("event: ") + name + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}
} // namespace

std::optional<ChatRequest> ResponsesDialect::parseRequest(const QByteArray &body, QString *error) const
{
    std::optional<ChatRequest> parsed = JsonBody::readRequest(body, error);
    if (!parsed)
        return std::nullopt;
    ChatRequest &r = *parsed;
    const QJsonValue input = r.body.value(QLatin1String("input"));
    // A follow-up turn may carry only previous_response_id (or a stored prompt) and no input.
    if (!input.isUndefined() && !input.isString() && !input.isArray()) {
        *error = QStringLiteral("'input' must be a string or an array of input items.");
        return std::nullopt;
    }
    r.clientWantsUsage = true; // Responses streams always end with the usage.
    const std::optional<qint64> limit = JsonBody::readOutputLimit(r.body, {"max_output_tokens"}, &r.outputLimitKey, error);
    if (!limit)
        return std::nullopt;
    r.maxTokens = *limit;
    r.outputLimitKey = "max_output_tokens";
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return parsed;
}

QByteArray ResponsesDialect::upstreamBody(const ChatRequest &request) const
{
    // Responses streams always carry their usage; the body changes only when a budget clamps
    // (or injects) max_output_tokens.
    if (request.forwardMaxTokens < 0)
        return {};
    const QJsonObject body = JsonBody::withOutputLimit(request.body, request.outputLimitKey, request.forwardMaxTokens, {"max_output_tokens"});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

TokenUsage ResponsesDialect::usageFromJson(const QJsonObject &usage)
{
    TokenUsage u;
    u.promptTokens = qMax<qint64>(0, usage.value(QLatin1String("input_tokens")).toInteger());
    u.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("output_tokens")).toInteger());
    u.cachedTokens = qBound<qint64>(0, usage.value(QLatin1String("input_tokens_details")).toObject()
                                           .value(QLatin1String("cached_tokens")).toInteger(), u.promptTokens);
    u.reasoningTokens = qBound<qint64>(0, usage.value(QLatin1String("output_tokens_details")).toObject()
                                              .value(QLatin1String("reasoning_tokens")).toInteger(), u.completionTokens);
    u.reported = true;
    return u;
}

TokenUsage ResponsesDialect::usageFromResponse(const QByteArray &body) const
{
    const QJsonObject usage = QJsonDocument::fromJson(body).object().value(QLatin1String("usage")).toObject();
    if (usage.isEmpty())
        return {};
    return usageFromJson(usage);
}

QString ResponsesDialect::outputText(const QByteArray &responseBody) const
{
    // output[] messages' output_text parts (refusals too); reasoning and function calls are not the answer.
    QString text;
    for (const QJsonValue &i : QJsonDocument::fromJson(responseBody).object().value(QLatin1String("output")).toArray()) {
        const QJsonObject item = i.toObject();
        if (item.value(QLatin1String("type")).toString() != QLatin1String("message"))
            continue;
        for (const QJsonValue &p : item.value(QLatin1String("content")).toArray()) {
            const QJsonObject part = p.toObject();
            const QString type = part.value(QLatin1String("type")).toString();
            if (type == QLatin1String("output_text"))
                text += part.value(QLatin1String("text")).toString();
            else if (type == QLatin1String("refusal"))
                text += part.value(QLatin1String("refusal")).toString();
        }
        if (text.size() >= StreamMeter::OutputTextChars)
            break;
    }
    return text.left(StreamMeter::OutputTextChars);
}

std::unique_ptr<StreamMeter> ResponsesDialect::newStreamMeter(const ChatRequest &request) const
{
    auto meter = std::make_unique<ResponsesStreamMeter>();
    meter->setMaxTokens(request.maxTokens);
    return meter;
}

QByteArray ResponsesDialect::streamErrorEvent(Error error, const QString &message) const
{
    // OpenAI nests the error object in its `error` events now; older readers (and Codex) take the
    // flat code and message, so the event carries both.
    const QJsonObject e = QJsonDocument::fromJson(errorBody(error, message)).object().value(QLatin1String("error")).toObject();
    const QJsonObject errorEvent{{"type", "error"}, {"code", e.value(QLatin1String("code"))},
                                 {"message", message}, {"param", QJsonValue::Null}, {"error", e}};
    const QJsonObject response{{"object", "response"}, {"status", "failed"},
                               {"error", QJsonObject{{"code", e.value(QLatin1String("code"))}, {"message", message}}}};
    const QJsonObject failed{{"type", "response.failed"}, {"response", response}};
    return namedEvent("error", errorEvent) + namedEvent("response.failed", failed);
}
