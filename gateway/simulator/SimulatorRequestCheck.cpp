#include "SimulatorRequestCheck.h"

#include <QJsonDocument>

#include <cmath>

namespace {
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
} // namespace

bool SimulatorRequestCheck::missing(const char *field) const
{
    if (dialect == ApiDialect::Anthropic)
        return fail(QStringLiteral("%1: Field required").arg(QLatin1String(field)), field, {});
    if (qstrcmp(field, "model") == 0)
        return fail(QStringLiteral("you must provide a model parameter"), {}, {});
    return fail(QStringLiteral("Missing required parameter: '%1'.").arg(QLatin1String(field)), field,
                "missing_required_parameter");
}

bool SimulatorRequestCheck::wrongType(const char *field, const char *expected, const QJsonValue &got) const
{
    if (dialect == ApiDialect::Anthropic)
        return fail(QStringLiteral("%1: Input should be %2").arg(QLatin1String(field), QLatin1String(expected)), field, {});
    return fail(QStringLiteral("Invalid type for '%1': expected %2, but got %3 instead.")
                    .arg(QLatin1String(field), QLatin1String(expected), jsonTypeName(got)),
                field, "invalid_type");
}

bool SimulatorRequestCheck::fail(const QString &message, const QByteArray &param, const QByteArray &code) const
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

bool SimulatorRequestCheck::parseObject(const QByteArray &body, QJsonObject *object) const
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && doc.isObject()) {
        *object = doc.object();
        return true;
    }
    const QString detail = parseError.error != QJsonParseError::NoError
        ? QStringLiteral("%1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)
        : QStringLiteral("the body is not a JSON object");
    if (dialect == ApiDialect::Anthropic)
        return fail(QStringLiteral("Request body is not valid JSON: %1.").arg(detail), {}, {});
    return fail(QStringLiteral("We could not parse the JSON body of your request (%1). The API expects a JSON payload.").arg(detail), {}, {});
}

bool SimulatorRequestCheck::readModel(const QJsonObject &o, QByteArray *model) const
{
    const QJsonValue v = o.value(QLatin1String("model"));
    if (isAbsent(v) || (v.isString() && v.toString().isEmpty()))
        return missing("model");
    if (!v.isString())
        return wrongType("model", "a valid string", v);
    *model = v.toString().toUtf8();
    return true;
}

bool SimulatorRequestCheck::readBool(const QJsonObject &o, const char *field, bool *out) const
{
    const QJsonValue v = o.value(QLatin1String(field));
    if (isAbsent(v))
        return true;
    if (!v.isBool())
        return wrongType(field, "a valid boolean", v);
    *out = v.toBool();
    return true;
}

bool SimulatorRequestCheck::readTokenLimit(const QJsonObject &o, const char *field, int *out, int min) const
{
    const QJsonValue v = o.value(QLatin1String(field));
    if (isAbsent(v))
        return true;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || std::floor(d) != d)
        return wrongType(field, "a valid integer", v);
    if (d < min) {
        if (dialect == ApiDialect::Anthropic)
            return fail(QStringLiteral("%1: Input should be greater than or equal to %2").arg(QLatin1String(field)).arg(min), field, {});
        return fail(QStringLiteral("Invalid '%1': integer below minimum value. Expected a value >= %2, but got %3 instead.")
                        .arg(QLatin1String(field)).arg(min).arg(qint64(d)),
                    field, "integer_below_min_value");
    }
    *out = d > 1e9 ? 1'000'000'000 : int(d);
    return true;
}

bool SimulatorRequestCheck::readIncludeUsage(const QJsonObject &o, bool stream, bool *includeUsage) const
{
    const QJsonValue options = o.value(QLatin1String("stream_options"));
    if (isAbsent(options))
        return true;
    if (!stream)
        return fail(QStringLiteral("The 'stream_options' parameter is only allowed when 'stream' is enabled."), "stream_options", {});
    if (!options.isObject())
        return wrongType("stream_options", "an object", options);
    *includeUsage = options.toObject().value(QLatin1String("include_usage")).toBool(false);
    return true;
}
