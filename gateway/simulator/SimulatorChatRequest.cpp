#include "SimulatorChatRequest.h"

#include "SimulatorRequestCheck.h"
#include "SimulatorText.h"
#include "SimulatorTokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using Complaint = SimulatorRequestCheck;

std::optional<SimulatorChatRequest> SimulatorChatRequest::parse(ApiDialect dialect, Purpose purpose, const QByteArray &body,
                                                                SimulatorError *error)
{
    const Complaint complain{dialect, error};
    QJsonObject o;
    SimulatorChatRequest r;
    if (!complain.parseObject(body, &o) || !complain.readModel(o, &r.model))
        return std::nullopt;

    const QJsonValue messagesValue = o.value(QLatin1String("messages"));
    if (Complaint::isAbsent(messagesValue)) {
        complain.missing("messages");
        return std::nullopt;
    }
    if (!messagesValue.isArray()) {
        complain.wrongType("messages", "a valid list", messagesValue);
        return std::nullopt;
    }
    const QJsonArray messages = messagesValue.toArray();
    if (messages.isEmpty()) {
        if (dialect == ApiDialect::Anthropic)
            complain.fail(QStringLiteral("messages: at least one message is required"), "messages", {});
        else
            complain.fail(QStringLiteral("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."),
                          "messages", "empty_array");
        return std::nullopt;
    }
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonValue m = messages.at(i);
        if (!m.isObject() || !m.toObject().value(QLatin1String("role")).isString()) {
            const QString where = QStringLiteral("messages[%1]").arg(i);
            if (dialect == ApiDialect::Anthropic)
                complain.fail(QStringLiteral("%1: Input should be an object with a string 'role'").arg(where), {}, {});
            else
                complain.fail(QStringLiteral("Invalid '%1': expected an object with a string 'role'.").arg(where),
                              where.toUtf8(), "invalid_type");
            return std::nullopt;
        }
    }

    const QJsonValue stream = o.value(QLatin1String("stream"));
    if (!Complaint::isAbsent(stream) && !stream.isBool()) {
        complain.wrongType("stream", "a valid boolean", stream);
        return std::nullopt;
    }
    r.stream = purpose == Purpose::Completion && stream.toBool(false);

    QJsonValue system = QJsonValue::Null;
    if (dialect == ApiDialect::OpenAi) {
        if (!complain.readIncludeUsage(o, r.stream, &r.includeUsage))
            return std::nullopt;
        // The newer name wins, as it does at OpenAI.
        if (!complain.readTokenLimit(o, "max_tokens", &r.maxTokens)
            || !complain.readTokenLimit(o, "max_completion_tokens", &r.maxTokens))
            return std::nullopt;
    } else {
        system = o.value(QLatin1String("system"));
        if (Complaint::isAbsent(system))
            system = QJsonValue::Null;
        else if (!system.isString() && !system.isArray()) {
            complain.wrongType("system", "a valid string or list of content blocks", system);
            return std::nullopt;
        }
        if (purpose == Purpose::Completion) {
            if (Complaint::isAbsent(o.value(QLatin1String("max_tokens")))) {
                complain.missing("max_tokens");
                return std::nullopt;
            }
            if (!complain.readTokenLimit(o, "max_tokens", &r.maxTokens))
                return std::nullopt;
        }
    }

    if (purpose == Purpose::Completion
        && !SimulatorToolRequest::read(dialect == ApiDialect::Anthropic ? SimulatorToolRequest::Wire::Messages
                                                                       : SimulatorToolRequest::Wire::Chat,
                                       o, messages, complain, &r.tools))
        return std::nullopt;

    r.promptTokens = SimulatorTokenizer::countPrompt(messages, system, o.value(QLatin1String("tools")));
    // Compact QJsonDocument text is canonical (sorted keys), so formatting differences in the
    // client's JSON don't change the answer.
    quint64 seed = SimulatorText::hash(r.model);
    if (!system.isNull())
        seed = SimulatorText::hash(QJsonDocument(QJsonArray{system}).toJson(QJsonDocument::Compact), seed);
    r.seed = SimulatorText::hash(QJsonDocument(messages).toJson(QJsonDocument::Compact), seed);
    return r;
}
