#pragma once

#include <QByteArray>

// Takes a provider key out of text TokenFuse relays or logs: an upstream that echoes the key it
// was given (in a 401 body, say) must not hand it to the client. The key, or any run of 16 or more
// of its leading characters, becomes its first three characters and "…REDACTED".
class KeyRedactor
{
public:
    static QByteArray redact(const QByteArray &text, const QByteArray &key);
    static QString redact(const QString &text, const QString &key);
};
