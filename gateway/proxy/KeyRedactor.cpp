#include "KeyRedactor.h"

#include <QString>

namespace {
// Shorter runs are too likely to be a common prefix ("sk-proj-") rather than the secret.
constexpr qsizetype kLongPrefix = 16;
} // namespace

QByteArray KeyRedactor::redact(const QByteArray &text, const QByteArray &key)
{
    if (key.size() < 8)
        return text; // not a key worth the name; redacting would mangle ordinary text
    const QByteArray probe = key.left(qMin(key.size(), kLongPrefix));
    const QByteArray replacement = key.left(3) + "\xe2\x80\xa6REDACTED"; // "sk-…REDACTED"
    QByteArray out;
    qsizetype from = 0;
    for (qsizetype at = text.indexOf(probe); at >= 0; at = text.indexOf(probe, from)) {
        qsizetype end = at + probe.size();
        while (end < text.size() && end - at < key.size() && text.at(end) == key.at(end - at))
            ++end;
        out += text.mid(from, at - from) + replacement;
        from = end;
    }
    if (from == 0)
        return text;
    return out + text.mid(from);
}

QString KeyRedactor::redact(const QString &text, const QString &key)
{
    return QString::fromUtf8(redact(text.toUtf8(), key.toUtf8()));
}
