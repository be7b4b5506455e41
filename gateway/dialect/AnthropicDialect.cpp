#include "AnthropicDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {
class AnthropicStreamMeter : public StreamMeter
{
protected:
    Verdict inspect(const SseEvent &event) override
    {
        if (event.event == "ping" || event.data.isEmpty())
            return Verdict::Forward;
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data, &pe);
        if (!doc.isObject()) {
            ++m_malformed;
            return Verdict::Forward;
        }
        const QJsonObject o = doc.object();
        const QString type = o.value(QLatin1String("type")).toString();
        if (type == QLatin1String("message_start")) {
            const QJsonObject usage = o.value(QLatin1String("message")).toObject().value(QLatin1String("usage")).toObject();
            AnthropicDialect::readInput(usage, &m_reported);
            m_reported.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("output_tokens")).toInteger());
        } else if (type == QLatin1String("content_block_delta")) {
            const QJsonObject delta = o.value(QLatin1String("delta")).toObject();
            for (const char *key : {"text", "partial_json", "thinking"}) {
                const QJsonValue v = delta.value(QLatin1String(key));
                if (v.isString())
                    countText(v.toString(), qstrcmp(key, "text") == 0);
            }
            noteContent();
        } else if (type == QLatin1String("message_delta")) {
            const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
            if (usage.contains(QLatin1String("output_tokens"))) {
                // Cumulative: the last one is the total, never a sum of them.
                m_reported.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("output_tokens")).toInteger());
                if (usage.contains(QLatin1String("input_tokens")))
                    AnthropicDialect::readInput(usage, &m_reported);
                m_reported.reported = true;
                m_sawUsage = true;
            }
        } else if (type == QLatin1String("message_stop")) {
            return Verdict::Terminal;
        } else if (type == QLatin1String("error") || event.event == "error") {
            m_sawError = true;
            m_errorMessage = o.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
        }
        return Verdict::Forward;
    }
};

QByteArray typeOf(Dialect::Error e)
{
    using E = Dialect::Error;
    switch (e) {
    case E::RequestTooLarge: return "request_too_large";
    case E::NotFound: return "not_found_error";
    case E::Unauthorized: return "authentication_error";
    case E::BudgetExceeded: return "billing_error";
    case E::RateLimited: return "rate_limit_error";
    case E::SessionBlocked:
    case E::ForbiddenOrigin: return "permission_error";
    case E::UpstreamUnavailable: return "overloaded_error";
    case E::UpstreamError:
    case E::UpstreamTimeout:
    case E::StoreUnavailable:
    case E::Internal: return "api_error";
    default: return "invalid_request_error";
    }
}
} // namespace

std::optional<ChatRequest> AnthropicDialect::parseRequest(const QByteArray &body, QString *error) const
{
    std::optional<ChatRequest> parsed =
        JsonBody::readChat(body, QStringLiteral("messages: Field required (an array of message objects)."), error);
    if (!parsed)
        return std::nullopt;
    ChatRequest &r = *parsed;
    r.clientWantsUsage = true; // Anthropic streams always carry usage.
    const std::optional<qint64> limit = JsonBody::readOutputLimit(r.body, {"max_tokens"}, &r.outputLimitKey, error);
    if (!limit)
        return std::nullopt;
    r.maxTokens = *limit;
    r.outputLimitKey = "max_tokens";
    r.promptEstimate = TokenEstimator::estimateAnthropicRequest(r.body);
    return parsed;
}

QByteArray AnthropicDialect::upstreamBody(const ChatRequest &request) const
{
    if (request.forwardMaxTokens < 0)
        return {};
    return QJsonDocument(JsonBody::withOutputLimit(request.body, request.outputLimitKey, request.forwardMaxTokens, {"max_tokens"}))
        .toJson(QJsonDocument::Compact);
}

void AnthropicDialect::readInput(const QJsonObject &usage, TokenUsage *into)
{
    const qint64 uncached = qMax<qint64>(0, usage.value(QLatin1String("input_tokens")).toInteger());
    const qint64 reads = qMax<qint64>(0, usage.value(QLatin1String("cache_read_input_tokens")).toInteger());
    const qint64 writes = qMax<qint64>(0, usage.value(QLatin1String("cache_creation_input_tokens")).toInteger());
    into->promptTokens = uncached + reads + writes;
    into->cachedTokens = reads;
}

TokenUsage AnthropicDialect::usageFromResponse(const QByteArray &body) const
{
    const QJsonObject usage = QJsonDocument::fromJson(body).object().value(QLatin1String("usage")).toObject();
    if (usage.isEmpty())
        return {};
    TokenUsage u;
    readInput(usage, &u);
    u.completionTokens = qMax<qint64>(0, usage.value(QLatin1String("output_tokens")).toInteger());
    u.reported = true;
    return u;
}

QString AnthropicDialect::outputText(const QByteArray &responseBody) const
{
    QString text;
    for (const QJsonValue &b : QJsonDocument::fromJson(responseBody).object().value(QLatin1String("content")).toArray()) {
        const QJsonObject block = b.toObject();
        if (block.value(QLatin1String("type")).toString() == QLatin1String("text"))
            text += block.value(QLatin1String("text")).toString();
        if (text.size() >= StreamMeter::OutputTextChars)
            break;
    }
    return text.left(StreamMeter::OutputTextChars);
}

std::unique_ptr<StreamMeter> AnthropicDialect::newStreamMeter(const ChatRequest &request) const
{
    auto meter = std::make_unique<AnthropicStreamMeter>();
    meter->setMaxTokens(request.forwardMaxTokens >= 0 ? request.forwardMaxTokens : request.maxTokens);
    return meter;
}

QByteArray AnthropicDialect::errorBody(Error error, const QString &message) const
{
    const QJsonObject e{{"type", QString::fromLatin1(typeOf(error))}, {"message", message}};
    return QJsonDocument(QJsonObject{{"type", "error"}, {"error", e}}).toJson(QJsonDocument::Compact);
}

QByteArray AnthropicDialect::streamErrorEvent(Error error, const QString &message) const
{
    return "event: error\ndata: " + errorBody(error, message) + "\n\n";
}
