#include "SimulatorJson.h"

#include <QJsonArray>
#include <QJsonDocument>

QByteArray SimulatorJson::string(const QByteArray &utf8)
{
    static const char hex[] = "0123456789abcdef";
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char ch : utf8) {
        const auto c = quint8(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += char(c); // UTF-8 passes through: JSON text is UTF-8
            }
        }
    }
    out += '"';
    return out;
}

QByteArray SimulatorJson::compact(const QJsonValue &value)
{
    // A one-element array takes scalars too; strip its brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}
