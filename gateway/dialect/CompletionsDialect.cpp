#include "CompletionsDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

std::optional<ChatRequest> CompletionsDialect::parseRequest(const QByteArray &body, QString *error) const
{
    const std::optional<QJsonObject> object = JsonBody::parseObject(body, error);
    if (!object)
        return std::nullopt;
    ChatRequest r;
    r.body = *object;
    if (!JsonBody::readModel(r.body, &r.model, error))
        return std::nullopt;
    const QJsonValue prompt = r.body.value(QLatin1String("prompt"));
    if (!prompt.isString() && !prompt.isArray()) {
        *error = QStringLiteral("'prompt' is required: a string, an array of strings, or token arrays.");
        return std::nullopt;
    }
    r.stream = r.body.value(QLatin1String("stream")).toBool(false);
    r.clientWantsUsage = r.body.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool(false);
    // The legacy endpoint's default is 16, but a provider may not honour that; the gateway's
    // default worst case applies when none is named.
    r.maxTokens = JsonBody::readMaxTokens(r.body, {"max_tokens"});
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return r;
}
