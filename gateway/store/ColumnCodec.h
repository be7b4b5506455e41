#pragma once

#include <QJsonValue>
#include <QString>

// How values that SQLite has no type for are kept in columns, the same way by every table:
// text that must never be NULL, and JSON of any kind (object, array, scalar, null) as compact
// JSON text that sqlite3 users can read with json_extract().
class ColumnCodec
{
public:
    // Qt binds a null QString as SQL NULL, which the NOT NULL text columns refuse.
    static QString text(const QString &value);

    // Compact JSON text; null and undefined both become "null".
    static QString jsonText(const QJsonValue &value);
    // The value jsonText() wrote, or null for text that is not JSON.
    static QJsonValue jsonValue(const QString &text);
};
