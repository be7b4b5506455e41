#include "ColumnCodec.h"

#include <QJsonArray>
#include <QJsonDocument>

QString ColumnCodec::text(const QString &value)
{
    static const QString empty = QStringLiteral("");
    return value.isNull() ? empty : value;
}

QString ColumnCodec::jsonText(const QJsonValue &value)
{
    // QJsonDocument only holds an object or an array; a one-element array serialises any value,
    // scalars included, with Qt's escaping and exact 64-bit integers. The brackets are cut off.
    const QJsonValue stored = value.isUndefined() ? QJsonValue() : value;
    const QByteArray wrapped = QJsonDocument(QJsonArray{stored}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QJsonValue ColumnCodec::jsonValue(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"), &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return QJsonValue();
    return document.array().first();
}
