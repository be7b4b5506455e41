#include "OpenAiDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
// Output-limit keys of chat completions, the newer first: it wins when a client sends both.
constexpr std::initializer_list<const char *> kOutputLimitKeys = {"max_completion_tokens", "max_tokens"};

class OpenAiStreamMeter : public StreamMeter
{
public:
    explicit OpenAiStreamMeter(bool clientWantsUsage) : m_clientWantsUsage(clientWantsUsage) { }

protected:
    Verdict inspect(const SseEvent &event) override
    {
        if (event.data.isEmpty())
            return Verdict::Forward;
        if (event.data == "[DONE]")
            return Verdict::Terminal;
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data, &pe);
        if (!doc.isObject()) {
            ++m_malformed;
            return Verdict::Forward;
        }
        const QJsonObject chunk = doc.object();
        if (chunk.contains(QLatin1String("error"))) {
            m_sawError = true;
            m_errorMessage = chunk.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
            return Verdict::Forward;
        }
        const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
        for (const QJsonValue &c : choices) {
            const QJsonObject delta = c.toObject().value(QLatin1String("delta")).toObject();
            bool content = false;
            // Legacy completions stream their text as choices[].text.
            const QJsonValue text = c.toObject().value(QLatin1String("text"));
            if (text.isString() && !text.toString().isEmpty()) {
                countText(text.toString());
                content = true;
            }
            for (const char *key : {"content", "reasoning_content", "reasoning", "refusal"}) {
                const QJsonValue v = delta.value(QLatin1String(key));
                if (v.isString() && !v.toString().isEmpty()) {
                    countText(v.toString(), qstrcmp(key, "content") == 0 || qstrcmp(key, "refusal") == 0);
                    content = true;
                }
            }
            for (const QJsonValue &t : delta.value(QLatin1String("tool_calls")).toArray()) {
                const QJsonObject fn = t.toObject().value(QLatin1String("function")).toObject();
                countText(fn.value(QLatin1String("name")).toString() + fn.value(QLatin1String("arguments")).toString(), false);
                content = true;
            }
            if (content)
                noteContent();
        }
        const QJsonValue usage = chunk.value(QLatin1String("usage"));
        if (usage.isObject()) {
            m_reported = OpenAiDialect::usageFromJson(usage.toObject());
            m_sawUsage = true;
            // The usage-only chunk TokenFuse asked for on the client's behalf is not the client's to see.
            if (choices.isEmpty() && !m_clientWantsUsage)
                return Verdict::Drop;
        }
        return Verdict::Forward;
    }

private:
    bool m_clientWantsUsage;
};

QByteArray typeOf(Dialect::Error e)
{
    using E = Dialect::Error;
    switch (e) {
    case E::BudgetExceeded: return "budget_exceeded";
    case E::RateLimited: return "rate_limit_exceeded";
    case E::SessionBlocked: return "session_blocked";
    case E::UpstreamUnavailable: return "upstream_unavailable";
    case E::StoreUnavailable: return "store_unavailable";
    case E::UpstreamTimeout: return "upstream_timeout";
    case E::UpstreamError: return "upstream_error";
    case E::Unauthorized: return "authentication_error";
    case E::NotFound: return "not_found_error";
    case E::Internal: return "server_error";
    case E::ForbiddenOrigin: return "forbidden_origin";
    default: return "invalid_request_error";
    }
}

QByteArray codeOf(Dialect::Error e)
{
    using E = Dialect::Error;
    switch (e) {
    case E::InvalidRequest: return "invalid_request";
    case E::RequestTooLarge: return "request_too_large";
    case E::HeadersTooLarge: return "request_headers_too_large";
    case E::RequestTimeout: return "request_timeout";
    case E::NotFound: return "not_found";
    case E::Unauthorized: return "invalid_api_key";
    case E::UnsupportedMediaType: return "unsupported_media_type";
    default: return typeOf(e);
    }
}
} // namespace

std::optional<ChatRequest> OpenAiDialect::parseRequest(const QByteArray &body, QString *error) const
{
    std::optional<ChatRequest> parsed = JsonBody::readChat(
        body, QStringLiteral("'messages' is required and must be an array of message objects."), error);
    if (!parsed)
        return std::nullopt;
    ChatRequest &r = *parsed;
    r.clientWantsUsage = clientWantsUsage(r.body);
    const std::optional<qint64> limit = JsonBody::readOutputLimit(r.body, kOutputLimitKeys, &r.outputLimitKey, error);
    if (!limit)
        return std::nullopt;
    r.maxTokens = *limit;
    if (r.outputLimitKey.isEmpty())
        r.outputLimitKey = "max_tokens";
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return parsed;
}

bool OpenAiDialect::clientWantsUsage(const QJsonObject &body)
{
    return body.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(false);
}

QByteArray OpenAiDialect::upstreamBody(const ChatRequest &request) const
{
    const bool askForUsage = request.stream && !request.clientWantsUsage;
    if (!askForUsage && request.forwardMaxTokens < 0)
        return {};
    QJsonObject body = request.body;
    if (askForUsage) {
        // Without it an OpenAI-style stream carries no usage at all; the extra chunk is removed again.
        QJsonObject options = body.value(QLatin1String("stream_options")).toObject();
        options.insert(QLatin1String("include_usage"), true);
        body.insert(QLatin1String("stream_options"), options);
    }
    if (request.forwardMaxTokens >= 0)
        body = JsonBody::withOutputLimit(body, request.outputLimitKey, request.forwardMaxTokens, kOutputLimitKeys);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

TokenUsage OpenAiDialect::usageFromJson(const QJsonObject &usage)
{
    TokenUsage u;
    u.promptTokens = qMax<qint64>(0, usage.value(QLatin1String("prompt_tokens")).toInteger());
    u.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("completion_tokens")).toInteger());
    u.cachedTokens = qBound<qint64>(0, usage.value(QLatin1String("prompt_tokens_details")).toObject()
                                        .value(QLatin1String("cached_tokens")).toInteger(), u.promptTokens);
    u.reasoningTokens = qBound<qint64>(0, usage.value(QLatin1String("completion_tokens_details")).toObject()
                                           .value(QLatin1String("reasoning_tokens")).toInteger(), u.completionTokens);
    u.reported = true;
    return u;
}

TokenUsage OpenAiDialect::usageFromResponse(const QByteArray &body) const
{
    const QJsonObject usage = QJsonDocument::fromJson(body).object().value(QLatin1String("usage")).toObject();
    if (usage.isEmpty())
        return {};
    return usageFromJson(usage);
}

QString OpenAiDialect::outputText(const QByteArray &responseBody) const
{
    // Chat: choices[].message.content (a string, or parts); legacy completions: choices[].text.
    QString text;
    for (const QJsonValue &c : QJsonDocument::fromJson(responseBody).object().value(QLatin1String("choices")).toArray()) {
        const QJsonObject choice = c.toObject();
        const QJsonObject message = choice.value(QLatin1String("message")).toObject();
        const QJsonValue content = message.value(QLatin1String("content"));
        text += choice.value(QLatin1String("text")).toString() + content.toString() + message.value(QLatin1String("refusal")).toString();
        for (const QJsonValue &part : content.toArray())
            text += part.toObject().value(QLatin1String("text")).toString();
        if (text.size() >= StreamMeter::OutputTextChars)
            break;
    }
    return text.left(StreamMeter::OutputTextChars);
}

std::unique_ptr<StreamMeter> OpenAiDialect::newStreamMeter(const ChatRequest &request) const
{
    auto meter = std::make_unique<OpenAiStreamMeter>(request.clientWantsUsage);
    meter->setMaxTokens(request.forwardMaxTokens >= 0 ? request.forwardMaxTokens : request.maxTokens);
    return meter;
}

QByteArray OpenAiDialect::errorBody(Error error, const QString &message) const
{
    const QJsonObject e{{"message", message},
                        {"type", QString::fromLatin1(typeOf(error))},
                        {"param", QJsonValue::Null},
                        {"code", QString::fromLatin1(codeOf(error))}};
    return QJsonDocument(QJsonObject{{"error", e}}).toJson(QJsonDocument::Compact);
}

QByteArray OpenAiDialect::streamErrorEvent(Error error, const QString &message) const
{
    return "data: " + errorBody(error, message) + "\n\n";
}
