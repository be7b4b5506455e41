#include "SimulatorEmbeddingsRequest.h"

#include "SimulatorRequestCheck.h"
#include "SimulatorText.h"
#include "SimulatorTokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {
// One input: a string, or a list of token ids. Returns its tokens, or -1 when it is neither.
int inputTokens(const QJsonValue &v)
{
    if (v.isString())
        return SimulatorTokenizer::countText(v.toString());
    if (!v.isArray() || v.toArray().isEmpty())
        return -1;
    for (const QJsonValue &id : v.toArray()) {
        if (!id.isDouble())
            return -1;
    }
    return int(v.toArray().size());
}
} // namespace

std::optional<SimulatorEmbeddingsRequest> SimulatorEmbeddingsRequest::parse(const QByteArray &body, SimulatorError *error)
{
    const SimulatorRequestCheck check{ApiDialect::OpenAi, error};
    QJsonObject o;
    SimulatorEmbeddingsRequest r;
    if (!check.parseObject(body, &o) || !check.readModel(o, &r.model)
        || !check.readTokenLimit(o, "dimensions", &r.dimensions))
        return std::nullopt;
    if (r.dimensions > kMaxDimensions) {
        check.fail(QStringLiteral("Invalid 'dimensions': integer above maximum value. Expected a value <= %1, but got %2 instead.")
                       .arg(kMaxDimensions).arg(r.dimensions),
                   "dimensions", "integer_above_max_value");
        return std::nullopt;
    }
    const QJsonValue format = o.value(QLatin1String("encoding_format"));
    if (!SimulatorRequestCheck::isAbsent(format)) {
        if (format != QJsonValue(QStringLiteral("float")) && format != QJsonValue(QStringLiteral("base64"))) {
            check.fail(QStringLiteral("Invalid value for 'encoding_format': expected 'float' or 'base64'."), "encoding_format",
                       "invalid_value");
            return std::nullopt;
        }
        r.base64 = format.toString() == QLatin1String("base64");
    }

    const QJsonValue input = o.value(QLatin1String("input"));
    if (SimulatorRequestCheck::isAbsent(input)) {
        check.missing("input");
        return std::nullopt;
    }
    // A list of numbers is one input of token ids; any other list is one input per element.
    QJsonArray inputs;
    const bool tokenIds = input.isArray() && !input.toArray().isEmpty() && input.toArray().first().isDouble();
    if (input.isString() || tokenIds)
        inputs.append(input);
    else
        inputs = input.toArray();
    if (inputs.isEmpty()) {
        check.fail(QStringLiteral("'$.input' is invalid: expected a non-empty string or a non-empty array of strings or token ids."),
                   "input", "invalid_value");
        return std::nullopt;
    }
    const quint64 modelSeed = SimulatorText::hash(r.model);
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        const int tokens = inputTokens(inputs.at(i));
        if (tokens < 0 || (inputs.at(i).isString() && inputs.at(i).toString().isEmpty())) {
            check.fail(QStringLiteral("'$.input' is invalid: input[%1] must be a non-empty string or a non-empty array of token ids.").arg(i),
                       "input", "invalid_value");
            return std::nullopt;
        }
        r.promptTokens += tokens;
        r.seeds.append(SimulatorText::hash(QJsonDocument(QJsonArray{inputs.at(i)}).toJson(QJsonDocument::Compact), modelSeed));
    }
    return r;
}
