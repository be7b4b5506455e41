#include "SimulatorResponsesRequest.h"

#include "SimulatorJson.h"
#include "SimulatorRequestCheck.h"
#include "SimulatorText.h"
#include "SimulatorTokenizer.h"

#include <QJsonDocument>

std::optional<SimulatorResponsesRequest> SimulatorResponsesRequest::parse(const QByteArray &body, SimulatorError *error)
{
    const SimulatorRequestCheck check{ApiDialect::OpenAi, error};
    QJsonObject o;
    SimulatorResponsesRequest r;
    if (!check.parseObject(body, &o) || !check.readModel(o, &r.model) || !check.readBool(o, "stream", &r.stream)
        || !check.readTokenLimit(o, "max_output_tokens", &r.maxOutputTokens, kMinOutputTokens))
        return std::nullopt;

    const QJsonValue input = o.value(QLatin1String("input"));
    QJsonArray items;
    if (input.isString()) {
        items.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), input}});
    } else if (input.isArray()) {
        items = input.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (!items.at(i).isObject()) {
                check.fail(QStringLiteral("Invalid 'input[%1]': expected an input item object.").arg(i),
                           QStringLiteral("input[%1]").arg(i).toUtf8(), "invalid_type");
                return std::nullopt;
            }
        }
    } else if (SimulatorRequestCheck::isAbsent(input)) {
        check.missing("input");
        return std::nullopt;
    } else {
        check.wrongType("input", "a string or an array of input items", input);
        return std::nullopt;
    }

    const QJsonValue instructions = o.value(QLatin1String("instructions"));
    if (!SimulatorRequestCheck::isAbsent(instructions) && !instructions.isString()) {
        check.wrongType("instructions", "a string", instructions);
        return std::nullopt;
    }
    if (!SimulatorToolRequest::read(SimulatorToolRequest::Wire::Responses, o, items, check, &r.tools))
        return std::nullopt;

    const QJsonValue tools = o.value(QLatin1String("tools"));
    const QJsonValue toolChoice = o.value(QLatin1String("tool_choice"));
    if (instructions.isString())
        r.instructions = SimulatorJson::compact(instructions);
    if (tools.isArray())
        r.toolsJson = SimulatorJson::compact(tools);
    if (!SimulatorRequestCheck::isAbsent(toolChoice))
        r.toolChoice = SimulatorJson::compact(toolChoice);

    const QJsonValue system = instructions.isString() ? instructions : QJsonValue(QJsonValue::Null);
    r.promptTokens = SimulatorTokenizer::countPrompt(items, system, tools);
    quint64 seed = SimulatorText::hash(r.model);
    if (instructions.isString())
        seed = SimulatorText::hash(instructions.toString().toUtf8(), seed);
    r.seed = SimulatorText::hash(QJsonDocument(items).toJson(QJsonDocument::Compact), seed);
    return r;
}
