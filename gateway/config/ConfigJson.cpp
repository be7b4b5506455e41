#include "ConfigJson.h"

#include <QJsonArray>

#include <algorithm>

namespace ConfigJson {
bool fail(QString *error, const QString &message)
{
    *error = message;
    return false;
}

bool readInt(const QJsonObject &o, const char *key, const QString &where, int min, int *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())) || v.toDouble() < min || v.toDouble() > 2147483647.0)
        return fail(error, QStringLiteral("%1.%2 must be a whole number of at least %3").arg(where, QLatin1String(key)).arg(min));
    *out = int(v.toDouble());
    return true;
}

bool readMs(const QJsonObject &o, const char *key, const QString &where, qint64 min, qint64 *out, QString *error)
{
    int value = int(std::min<qint64>(*out, 2147483647));
    if (!readInt(o, key, where, int(min), &value, error))
        return false;
    *out = value;
    return true;
}

bool readNumber(const QJsonObject &o, const char *key, const QString &where, double min, double max, double *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || v.toDouble() < min || v.toDouble() > max)
        return fail(error, QStringLiteral("%1.%2 must be a number from %3 to %4").arg(where, QLatin1String(key)).arg(min).arg(max));
    *out = v.toDouble();
    return true;
}

bool readString(const QJsonObject &o, const char *key, const QString &where, QString *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isString())
        return fail(error, QStringLiteral("%1.%2 must be a string").arg(where, QLatin1String(key)));
    *out = v.toString();
    return true;
}

bool readBool(const QJsonObject &o, const char *key, const QString &where, bool *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isBool())
        return fail(error, QStringLiteral("%1.%2 must be true or false").arg(where, QLatin1String(key)));
    *out = v.toBool();
    return true;
}

bool readStringList(const QJsonObject &o, const char *key, QStringList *out, QString *error)
{
    return readStringList(o, key, QStringLiteral("config"), out, error);
}

bool readStringList(const QJsonObject &o, const char *key, const QString &where, QStringList *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isArray())
        return fail(error, QStringLiteral("%1.%2 must be an array of strings").arg(where, QLatin1String(key)));
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString() || item.toString().trimmed().isEmpty())
            return fail(error, QStringLiteral("%1.%2 must hold non-empty strings").arg(where, QLatin1String(key)));
        out->append(item.toString().trimmed());
    }
    return true;
}

bool checkKeys(const QJsonObject &o, const QString &where, const QStringList &known, QString *error)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(error, QStringLiteral("%1: unknown key '%2' (known: %3)").arg(where, it.key(), known.join(QLatin1String(", "))));
    }
    return true;
}
} // namespace ConfigJson
