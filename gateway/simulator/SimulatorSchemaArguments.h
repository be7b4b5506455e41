#pragma once

#include <QByteArray>
#include <QJsonObject>

// Plausible tool-call arguments for a JSON schema, the same ones for the same seed: every
// required property of an object is filled with a value of its type (the first `enum` or the
// `const` value, a date for format date/date-time, numbers inside minimum/maximum, minItems
// array items, ...); optional properties are left out. Local `$ref`s (#/$defs/..., #/definitions/...)
// are followed, `anyOf`/`oneOf`/`allOf` take their first branch. The result is compact JSON text
// with properties in the order the schema lists them.
class SimulatorSchemaArguments
{
public:
    static QByteArray generate(const QJsonObject &schema, quint64 seed);

private:
    SimulatorSchemaArguments(const QJsonObject &root, quint64 seed) : m_root(root), m_state(seed) {}
    QByteArray value(const QJsonObject &schema, const QString &name, int depth);
    QByteArray object(const QJsonObject &schema, int depth);
    QByteArray string(const QJsonObject &schema, const QString &name);
    QJsonObject resolve(const QJsonObject &schema, int depth) const;
    quint64 next();

    QJsonObject m_root;
    quint64 m_state;
};
