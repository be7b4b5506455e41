#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

// An ordered list of HTTP header fields. Names are kept as received (lower-cased on the server side,
// where HTTP/1.1 says they are case-insensitive); lookups ignore case.
class HttpHeaders
{
public:
    using Field = QPair<QByteArray, QByteArray>;

    void add(const QByteArray &name, const QByteArray &value) { m_fields.append({name, value}); }
    void set(const QByteArray &name, const QByteArray &value);
    void remove(const QByteArray &name);
    bool contains(const QByteArray &name) const;
    QByteArray value(const QByteArray &name, const QByteArray &fallback = {}) const;
    const QList<Field> &fields() const { return m_fields; }
    bool isEmpty() const { return m_fields.isEmpty(); }
    qsizetype size() const { return m_fields.size(); }

private:
    QList<Field> m_fields;
};
