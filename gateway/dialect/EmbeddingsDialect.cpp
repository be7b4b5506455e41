#include "EmbeddingsDialect.h"

#include "JsonBody.h"
#include "accounting/TokenEstimator.h"

std::optional<ChatRequest> EmbeddingsDialect::parseRequest(const QByteArray &body, QString *error) const
{
    std::optional<ChatRequest> parsed = JsonBody::readRequest(body, error);
    if (!parsed)
        return std::nullopt;
    ChatRequest &r = *parsed;
    const QJsonValue input = r.body.value(QLatin1String("input"));
    if (!input.isString() && !input.isArray()) {
        *error = QStringLiteral("'input' is required: a string, an array of strings, or an array of token arrays to embed.");
        return std::nullopt;
    }
    r.stream = false;
    r.maxTokens = 0; // an embedding has no output tokens
    r.promptEstimate = TokenEstimator::estimateOpenAiRequest(r.body);
    return parsed;
}
