#include "KeyRedactor.h"

#include "http/HttpHeaders.h"

#include <QRegularExpression>
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

QString KeyRedactor::scrubLikelyKeys(const QString &text)
{
    // Known shapes first (short ones too, so "sk-ant-api03-…" never shows its tail), then the
    // long mixed runs that most secrets are.
    static const QRegularExpression known(QStringLiteral(
        R"((?<![A-Za-z0-9])(sk-ant-[A-Za-z0-9_\-]{8,}|sk-[A-Za-z0-9_\-]{16,}|tf-[A-Za-z0-9_\-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{30,}|hf_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_\-]{16,}))"));
    static const QRegularExpression bearer(QStringLiteral(R"((?i)(bearer|token|api[_-]?key|password|secret)(["':= ]+)([^\s"',;]{8,}))"));
    static const QRegularExpression longRun(QStringLiteral(R"((?<![A-Za-z0-9_\-])(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,})"));
    QString out = text;
    out.replace(known, QStringLiteral("[key hidden]"));
    out.replace(bearer, QStringLiteral("\\1\\2[hidden]"));
    out.replace(longRun, QStringLiteral("[key hidden]"));
    return out;
}

QString KeyRedactor::headersForDisplay(const HttpHeaders &headers)
{
    static const QByteArrayList secret{"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie",
                                       "x-goog-api-key", "x-tokenfuse-admin-token"};
    QString text;
    for (const HttpHeaders::Field &f : headers.fields()) {
        text += QString::fromLatin1(f.first) + QLatin1String(": ");
        if (secret.contains(f.first.toLower()))
            text += QStringLiteral("(hidden, %1 characters)").arg(f.second.size());
        else
            text += QString::fromUtf8(f.second);
        text += QLatin1Char('\n');
    }
    return text;
}
