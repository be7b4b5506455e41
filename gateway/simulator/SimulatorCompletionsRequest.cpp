#include "SimulatorCompletionsRequest.h"

#include "SimulatorRequestCheck.h"
#include "SimulatorText.h"
#include "SimulatorTokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {
// Token ids count one each; text by the simulator's rule. False for anything else.
bool countPrompt(const QJsonValue &v, int depth, int *tokens)
{
    if (v.isString()) {
        *tokens += SimulatorTokenizer::countText(v.toString());
        return true;
    }
    if (v.isDouble()) {
        ++*tokens;
        return true;
    }
    if (v.isArray() && depth < 2) {
        for (const QJsonValue &e : v.toArray()) {
            if (!countPrompt(e, depth + 1, tokens))
                return false;
        }
        return true;
    }
    return false;
}
} // namespace

std::optional<SimulatorCompletionsRequest> SimulatorCompletionsRequest::parse(const QByteArray &body, SimulatorError *error)
{
    const SimulatorRequestCheck check{ApiDialect::OpenAi, error};
    QJsonObject o;
    SimulatorCompletionsRequest r;
    if (!check.parseObject(body, &o) || !check.readModel(o, &r.model) || !check.readBool(o, "stream", &r.stream)
        || !check.readTokenLimit(o, "max_tokens", &r.maxTokens))
        return std::nullopt;
    const QJsonValue prompt = o.value(QLatin1String("prompt"));
    if (SimulatorRequestCheck::isAbsent(prompt)) {
        check.missing("prompt");
        return std::nullopt;
    }
    if (!countPrompt(prompt, 0, &r.promptTokens)) {
        check.wrongType("prompt", "a string, an array of strings, or an array of token ids", prompt);
        return std::nullopt;
    }
    if (!check.readIncludeUsage(o, r.stream, &r.includeUsage))
        return std::nullopt;
    r.seed = SimulatorText::hash(QJsonDocument(QJsonArray{prompt}).toJson(QJsonDocument::Compact), SimulatorText::hash(r.model));
    return r;
}
