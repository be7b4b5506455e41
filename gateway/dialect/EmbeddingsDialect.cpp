#include "EmbeddingsDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

std::optional<ChatRequest> EmbeddingsDialect::parseRequest(const QByteArray &body, QString *error) const
{
    const std::optional<QJsonObject> object = JsonBody::parseObject(body, error);
    if (!object)
        return std::nullopt;
    ChatRequest r;
    r.body = *object;
    if (!JsonBody::readModel(r.body, &r.model, error))
        return std::nullopt;
    const QJsonValue input = r.body.value(QLatin1String("input"));
    if (!input.isString() && !input.isArray()) {
        *error = QStringLiteral("'input' is required: a string, an array of strings, or an array of token arrays to embed.");
        return std::nullopt;
    }
    r.maxTokens = 0; // an embedding has no output tokens
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return r;
}
