#include "HttpHeaders.h"

void HttpHeaders::set(const QByteArray &name, const QByteArray &value)
{
    remove(name);
    add(name, value);
}

void HttpHeaders::remove(const QByteArray &name)
{
    m_fields.removeIf([&](const Field &f) { return f.first.compare(name, Qt::CaseInsensitive) == 0; });
}

bool HttpHeaders::contains(const QByteArray &name) const
{
    for (const Field &f : m_fields) {
        if (f.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HttpHeaders::value(const QByteArray &name, const QByteArray &fallback) const
{
    for (const Field &f : m_fields) {
        if (f.first.compare(name, Qt::CaseInsensitive) == 0)
            return f.second;
    }
    return fallback;
}
