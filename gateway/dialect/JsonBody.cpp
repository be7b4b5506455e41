#include "JsonBody.h"

#include "budget/BudgetRule.h"
#include "budget/RuleJson.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

std::optional<QJsonObject> JsonBody::parseObject(const QByteArray &body, QString *error)
{
    if (body.trimmed().isEmpty()) {
        *error = QStringLiteral("The request body is empty; send a JSON object.");
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("The request body is not valid JSON: %1 at offset %2.").arg(pe.errorString()).arg(pe.offset);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("The request body must be a JSON object.");
        return std::nullopt;
    }
    return doc.object();
}

bool JsonBody::readModel(const QJsonObject &body, QString *model, QString *error)
{
    const QJsonValue v = body.value(QLatin1String("model"));
    if (!v.isString() || v.toString().trimmed().isEmpty()) {
        *error = QStringLiteral("'model' is required: name the model to use, e.g. \"model\": \"gpt-4o-mini\".");
        return false;
    }
    *model = v.toString();
    return true;
}

std::optional<ChatRequest> JsonBody::readRequest(const QByteArray &body, QString *error)
{
    const std::optional<QJsonObject> object = parseObject(body, error);
    if (!object)
        return std::nullopt;
    ChatRequest r;
    r.body = *object;
    if (!readModel(r.body, &r.model, error))
        return std::nullopt;
    r.stream = r.body.value(QLatin1String("stream")).toBool(false);
    return r;
}

std::optional<ChatRequest> JsonBody::readChat(const QByteArray &body, const QString &messagesError, QString *error)
{
    std::optional<ChatRequest> r = readRequest(body, error);
    if (r && !r->body.value(QLatin1String("messages")).isArray()) {
        *error = messagesError;
        return std::nullopt;
    }
    return r;
}

std::optional<qint64> JsonBody::readOutputLimit(const QJsonObject &body, std::initializer_list<const char *> keys,
                                                QByteArray *usedKey, QString *error)
{
    qint64 limit = -1;
    usedKey->clear();
    for (const char *key : keys) {
        const QJsonValue v = body.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            continue;
        const double d = v.toDouble();
        // Compared as doubles first: 1e22 or NaN must never reach an integer conversion.
        if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || d < 1 || d > double(BudgetRule::MaxOutputTokens)) {
            *error = QStringLiteral("'%1' must be a whole number from 1 to %2 (the most output tokens to generate), got %3.")
                         .arg(QLatin1String(key)).arg(BudgetRule::MaxOutputTokens).arg(RuleJson::describe(v));
            return std::nullopt;
        }
        if (usedKey->isEmpty()) {
            *usedKey = key;
            limit = qint64(d);
        }
    }
    return limit;
}

QJsonObject JsonBody::withOutputLimit(QJsonObject body, const QByteArray &key, qint64 limit,
                                      std::initializer_list<const char *> keys)
{
    for (const char *other : keys)
        body.remove(QLatin1String(other));
    body.insert(QLatin1String(key), double(limit));
    return body;
}
