#pragma once

#include <QByteArray>

class HttpHeaders;

// Takes a provider key out of text TokenFuse relays or logs: an upstream that echoes the key it
// was given (in a 401 body, say) must not hand it to the client. The key, or any run of 16 or more
// of its leading characters, becomes its first three characters and "…REDACTED". scrubLikelyKeys
// hides anything that looks like a secret, for previews of text nobody vetted.
class KeyRedactor
{
public:
    static QByteArray redact(const QByteArray &text, const QByteArray &key);
    static QString redact(const QString &text, const QString &key);
    // Every run that looks like a secret, whatever key it is: provider keys by their prefixes
    // (sk-, sk-ant-, tf-, AKIA, ghp_, xox?-, AIza, hf_, ...), "Bearer <token>", and any unbroken
    // run of 32 or more letters, digits, '-', '_' mixing letters and digits. For text shown to
    // people that TokenFuse did not write (a prompt preview): better a hash or two hidden too.
    static QString scrubLikelyKeys(const QString &text);
    // Request headers for the console's request detail, one "name: value" per line, the
    // credentials (authorization, x-api-key, api-key, cookie, ...) showing their length only. Cheap
    // enough for every request; the other values still need scrubLikelyKeys before anyone sees
    // them, which GatewayTotals does for the rows it hands to the console.
    static QString headersForDisplay(const HttpHeaders &headers);
};
