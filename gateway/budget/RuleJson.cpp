#include "RuleJson.h"

#include <cmath>

QString RuleJson::describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: return u'"' + value.toString() + u'"';
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

void RuleJson::setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

bool RuleJson::checkKeys(const QJsonObject &object, const QString &where, const QStringList &known,
                         const QStringList &ignored, QString *error)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()) && !ignored.contains(it.key())) {
            setError(error, QStringLiteral("%1.%2: unknown key (expected %3)")
                                .arg(where, it.key(), known.join(QLatin1String(", "))));
            return false;
        }
    }
    return true;
}

std::optional<qint64> RuleJson::wholeNumber(const QJsonValue &value, const QString &where, qint64 min,
                                            qint64 max, QString *error)
{
    const double number = value.toDouble();
    if (!value.isDouble() || !std::isfinite(number) || number != std::floor(number) || number < double(min)
        || number > double(max)) {
        setError(error, QStringLiteral("%1: must be a whole number from %2 to %3, got %4")
                            .arg(where).arg(min).arg(max).arg(describe(value)));
        return std::nullopt;
    }
    return qint64(number);
}

std::optional<QString> RuleJson::text(const QJsonValue &value, const QString &where, const QString &what,
                                      QString *error)
{
    if (!value.isString() || value.toString().trimmed().isEmpty()) {
        setError(error, QStringLiteral("%1: must be %2, got %3").arg(where, what, describe(value)));
        return std::nullopt;
    }
    return value.toString();
}
