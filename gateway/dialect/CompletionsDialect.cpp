#include "CompletionsDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

std::optional<ChatRequest> CompletionsDialect::parseRequest(const QByteArray &body, QString *error) const
{
    std::optional<ChatRequest> parsed = JsonBody::readRequest(body, error);
    if (!parsed)
        return std::nullopt;
    ChatRequest &r = *parsed;
    const QJsonValue prompt = r.body.value(QLatin1String("prompt"));
    if (!prompt.isString() && !prompt.isArray()) {
        *error = QStringLiteral("'prompt' is required: a string, an array of strings, or token arrays.");
        return std::nullopt;
    }
    r.clientWantsUsage = clientWantsUsage(r.body);
    // The legacy endpoint's default is 16, but a provider may not honour that; the gateway's
    // default worst case applies when none is named.
    const std::optional<qint64> limit = JsonBody::readOutputLimit(r.body, {"max_tokens"}, &r.outputLimitKey, error);
    if (!limit)
        return std::nullopt;
    r.maxTokens = *limit;
    r.outputLimitKey = "max_tokens";
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return parsed;
}
