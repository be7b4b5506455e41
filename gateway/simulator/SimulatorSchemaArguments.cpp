#include "SimulatorSchemaArguments.h"

#include "SimulatorJson.h"
#include "SimulatorText.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace {
// Deep or self-referencing schemas stop here with an empty value of the right type.
constexpr int kMaxDepth = 8;
constexpr int kMaxItems = 3;

QString typeOf(const QJsonObject &schema)
{
    const QJsonValue t = schema.value(QLatin1String("type"));
    if (t.isString())
        return t.toString();
    for (const QJsonValue &v : t.toArray()) {
        if (v.toString() != QLatin1String("null"))
            return v.toString();
    }
    if (schema.contains(QLatin1String("properties")))
        return QStringLiteral("object");
    if (schema.contains(QLatin1String("items")))
        return QStringLiteral("array");
    return t.toArray().isEmpty() ? QStringLiteral("string") : QStringLiteral("null");
}
} // namespace

QByteArray SimulatorSchemaArguments::generate(const QJsonObject &schema, quint64 seed)
{
    SimulatorSchemaArguments g(schema, seed);
    const QJsonObject top = g.resolve(schema, 0);
    // Tool arguments are always an object, whatever a sloppy schema says.
    return g.object(top, 0);
}

quint64 SimulatorSchemaArguments::next()
{
    return SimulatorText::next(m_state);
}

QJsonObject SimulatorSchemaArguments::resolve(const QJsonObject &schema, int depth) const
{
    QJsonObject s = schema;
    for (int hops = 0; hops < kMaxDepth && depth < kMaxDepth; ++hops) {
        const QString ref = s.value(QLatin1String("$ref")).toString();
        if (ref.startsWith(QLatin1String("#/"))) {
            QJsonValue at = m_root;
            for (const QString &part : ref.mid(2).split(QLatin1Char('/')))
                at = at.toObject().value(part);
            s = at.toObject();
            continue;
        }
        const char *branches[] = {"anyOf", "oneOf", "allOf"};
        bool descended = false;
        for (const char *key : branches) {
            const QJsonArray options = s.value(QLatin1String(key)).toArray();
            // The first branch that is not just null.
            for (const QJsonValue &o : options) {
                if (o.toObject().value(QLatin1String("type")).toString() != QLatin1String("null")) {
                    s = o.toObject();
                    descended = true;
                    break;
                }
            }
            if (descended)
                break;
        }
        if (!descended)
            break;
    }
    return s;
}

QByteArray SimulatorSchemaArguments::object(const QJsonObject &schema, int depth)
{
    const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
    QByteArray out = "{";
    for (const QJsonValue &r : schema.value(QLatin1String("required")).toArray()) {
        const QString name = r.toString();
        if (out.size() > 1)
            out += ',';
        out += SimulatorJson::string(name.toUtf8()) + ':' + value(properties.value(name).toObject(), name, depth + 1);
    }
    return out + '}';
}

QByteArray SimulatorSchemaArguments::string(const QJsonObject &schema, const QString &name)
{
    const QString format = schema.value(QLatin1String("format")).toString();
    if (format == QLatin1String("date-time"))
        return "\"2025-01-01T12:00:00Z\"";
    if (format == QLatin1String("date"))
        return "\"2025-01-01\"";
    if (format == QLatin1String("time"))
        return "\"12:00:00\"";
    if (format == QLatin1String("email"))
        return "\"user@example.com\"";
    if (format == QLatin1String("uri") || format == QLatin1String("url"))
        return "\"https://example.com/\"";
    if (format == QLatin1String("uuid"))
        return "\"00000000-0000-4000-8000-000000000000\"";
    // Two words from the simulator's vocabulary, fitted into minLength/maxLength.
    QByteArray text = SimulatorText::tokens(next() ^ SimulatorText::hash(name.toUtf8()), 2, true).join().toLower();
    const int minLength = schema.value(QLatin1String("minLength")).toInt(0);
    const int maxLength = schema.value(QLatin1String("maxLength")).toInt(-1);
    while (text.size() < minLength)
        text += " sample";
    if (maxLength >= 0 && text.size() > maxLength)
        text.truncate(maxLength);
    return SimulatorJson::string(text);
}

QByteArray SimulatorSchemaArguments::value(const QJsonObject &raw, const QString &name, int depth)
{
    const QJsonObject schema = resolve(raw, depth);
    if (schema.contains(QLatin1String("const")))
        return SimulatorJson::compact(schema.value(QLatin1String("const")));
    const QJsonArray choices = schema.value(QLatin1String("enum")).toArray();
    if (!choices.isEmpty())
        return SimulatorJson::compact(choices.at(qsizetype(next() % quint64(choices.size()))));
    if (schema.contains(QLatin1String("default")))
        return SimulatorJson::compact(schema.value(QLatin1String("default")));

    const QString type = typeOf(schema);
    if (type == QLatin1String("object"))
        return depth >= kMaxDepth ? QByteArray("{}") : object(schema, depth);
    if (type == QLatin1String("array")) {
        const int count = qBound(1, schema.value(QLatin1String("minItems")).toInt(1), kMaxItems);
        if (depth >= kMaxDepth || schema.value(QLatin1String("maxItems")).toInt(1) == 0)
            return "[]";
        QByteArray out = "[";
        for (int i = 0; i < count; ++i)
            out += (i ? "," : "") + value(schema.value(QLatin1String("items")).toObject(), name, depth + 1);
        return out + ']';
    }
    if (type == QLatin1String("integer") || type == QLatin1String("number")) {
        const bool integer = type == QLatin1String("integer");
        double lo = schema.value(QLatin1String("minimum")).toDouble(integer ? 1 : 0);
        double hi = schema.value(QLatin1String("maximum")).toDouble(lo + 100);
        if (schema.contains(QLatin1String("exclusiveMinimum")))
            lo = schema.value(QLatin1String("exclusiveMinimum")).toDouble() + (integer ? 1 : 0.5);
        if (schema.contains(QLatin1String("exclusiveMaximum")))
            hi = schema.value(QLatin1String("exclusiveMaximum")).toDouble() - (integer ? 1 : 0.5);
        if (hi < lo)
            hi = lo;
        if (integer) {
            const qint64 a = qint64(std::ceil(lo));
            const qint64 span = qint64(std::floor(hi)) - a + 1;
            return QByteArray::number(span > 0 ? a + qint64(next() % quint64(span)) : a);
        }
        // Quarter steps: exact in binary, so the text reads back as the same number.
        const double steps = std::floor((hi - lo) * 4);
        return QByteArray::number(lo + (steps > 0 ? double(next() % quint64(steps + 1)) / 4 : 0), 'g', 15);
    }
    if (type == QLatin1String("boolean"))
        return next() % 2 ? "true" : "false";
    if (type == QLatin1String("null"))
        return "null";
    return string(schema, name);
}
