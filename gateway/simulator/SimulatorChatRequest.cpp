#include "SimulatorChatRequest.h"

#include "SimulatorText.h"
#include "SimulatorTokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace {
bool isAbsent(const QJsonValue &v)
{
    return v.isUndefined() || v.isNull();
}

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    default: return QStringLiteral("null");
    }
}

// The messages each provider writes for the same mistakes, so clients see familiar text.
struct Complaint
{
    ApiDialect dialect;
    SimulatorError *out;

    bool missing(const char *field) const
    {
        if (dialect == ApiDialect::Anthropic)
            return fail(QStringLiteral("%1: Field required").arg(QLatin1String(field)), field, {});
        if (qstrcmp(field, "model") == 0)
            return fail(QStringLiteral("you must provide a model parameter"), {}, {});
        return fail(QStringLiteral("Missing required parameter: '%1'.").arg(QLatin1String(field)), field,
                    "missing_required_parameter");
    }
    bool wrongType(const char *field, const char *expected, const QJsonValue &got) const
    {
        if (dialect == ApiDialect::Anthropic)
            return fail(QStringLiteral("%1: Input should be %2").arg(QLatin1String(field), QLatin1String(expected)), field, {});
        return fail(QStringLiteral("Invalid type for '%1': expected %2, but got %3 instead.")
                        .arg(QLatin1String(field), QLatin1String(expected), jsonTypeName(got)),
                    field, "invalid_type");
    }
    bool fail(const QString &message, const QByteArray &param, const QByteArray &code) const
    {
        if (out) {
            *out = SimulatorError();
            out->status = 400;
            out->message = message;
            if (dialect == ApiDialect::OpenAi) {
                out->param = param;
                out->code = code;
            }
        }
        return false;
    }
};

// A positive whole number, as both providers require for token limits.
bool readTokenLimit(const QJsonObject &o, const char *field, const Complaint &complain, int *out)
{
    const QJsonValue v = o.value(QLatin1String(field));
    if (isAbsent(v))
        return true;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || std::floor(d) != d)
        return complain.wrongType(field, "a valid integer", v);
    if (d < 1) {
        if (complain.dialect == ApiDialect::Anthropic)
            return complain.fail(QStringLiteral("%1: Input should be greater than or equal to 1").arg(QLatin1String(field)), field, {});
        return complain.fail(QStringLiteral("Invalid '%1': integer below minimum value. Expected a value >= 1, but got %2 instead.")
                                 .arg(QLatin1String(field)).arg(qint64(d)),
                             field, "integer_below_min_value");
    }
    *out = d > 1e9 ? 1'000'000'000 : int(d);
    return true;
}
} // namespace

std::optional<SimulatorChatRequest> SimulatorChatRequest::parse(ApiDialect dialect, Purpose purpose, const QByteArray &body,
                                                                SimulatorError *error)
{
    const Complaint complain{dialect, error};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        const QString detail = parseError.error != QJsonParseError::NoError
            ? QStringLiteral("%1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)
            : QStringLiteral("the body is not a JSON object");
        if (dialect == ApiDialect::Anthropic)
            complain.fail(QStringLiteral("Request body is not valid JSON: %1.").arg(detail), {}, {});
        else
            complain.fail(QStringLiteral("We could not parse the JSON body of your request (%1). The API expects a JSON payload.").arg(detail), {}, {});
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    SimulatorChatRequest r;

    const QJsonValue model = o.value(QLatin1String("model"));
    if (isAbsent(model) || (model.isString() && model.toString().isEmpty())) {
        complain.missing("model");
        return std::nullopt;
    }
    if (!model.isString()) {
        complain.wrongType("model", "a valid string", model);
        return std::nullopt;
    }
    r.model = model.toString().toUtf8();

    const QJsonValue messagesValue = o.value(QLatin1String("messages"));
    if (isAbsent(messagesValue)) {
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
    if (!isAbsent(stream) && !stream.isBool()) {
        complain.wrongType("stream", "a valid boolean", stream);
        return std::nullopt;
    }
    r.stream = purpose == Purpose::Completion && stream.toBool(false);

    QJsonValue system = QJsonValue::Null;
    if (dialect == ApiDialect::OpenAi) {
        const QJsonValue options = o.value(QLatin1String("stream_options"));
        if (!isAbsent(options)) {
            if (!r.stream) {
                complain.fail(QStringLiteral("The 'stream_options' parameter is only allowed when 'stream' is enabled."),
                              "stream_options", {});
                return std::nullopt;
            }
            if (!options.isObject()) {
                complain.wrongType("stream_options", "an object", options);
                return std::nullopt;
            }
            r.includeUsage = options.toObject().value(QLatin1String("include_usage")).toBool(false);
        }
        // The newer name wins, as it does at OpenAI.
        if (!readTokenLimit(o, "max_tokens", complain, &r.maxTokens)
            || !readTokenLimit(o, "max_completion_tokens", complain, &r.maxTokens))
            return std::nullopt;
    } else {
        system = o.value(QLatin1String("system"));
        if (isAbsent(system))
            system = QJsonValue::Null;
        else if (!system.isString() && !system.isArray()) {
            complain.wrongType("system", "a valid string or list of content blocks", system);
            return std::nullopt;
        }
        if (purpose == Purpose::Completion) {
            if (isAbsent(o.value(QLatin1String("max_tokens")))) {
                complain.missing("max_tokens");
                return std::nullopt;
            }
            if (!readTokenLimit(o, "max_tokens", complain, &r.maxTokens))
                return std::nullopt;
        }
    }

    r.promptTokens = SimulatorTokenizer::countPrompt(messages, system, o.value(QLatin1String("tools")));
    // Compact QJsonDocument text is canonical (sorted keys), so formatting differences in the
    // client's JSON don't change the answer.
    quint64 seed = SimulatorText::hash(r.model);
    if (!system.isNull())
        seed = SimulatorText::hash(QJsonDocument(QJsonArray{system}).toJson(QJsonDocument::Compact), seed);
    r.seed = SimulatorText::hash(QJsonDocument(messages).toJson(QJsonDocument::Compact), seed);
    return r;
}
