#pragma once

#include <QMetaType>
#include <QString>

// One request as it is stored and shown: a copyable value handed from the proxy to the store and
// (batched) to the console. Times are milliseconds since the Unix epoch; money in micro-units.
struct UsageRecord
{
    QString id;              // the x-tokenfuse-request-id the client saw
    qint64 startedAt = 0;
    qint64 endedAt = 0;
    QString tenant;
    QString session;
    QString model;
    QString upstream;        // upstream name from the config, or "simulator"
    QString endpoint;        // path that was called, e.g. /v1/chat/completions
    bool stream = false;
    int status = 0;          // HTTP status the client got
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 cachedTokens = 0; // part of promptTokens read from the provider's cache
    qint64 reasoningTokens = 0; // part of completionTokens spent reasoning, where reported
    qint64 clampedMaxTokens = 0; // the output limit forwarded when a budget clamped it; 0: not clamped
    qint64 costMicros = 0;
    QString currency = QStringLiteral("USD");
    qint64 latencyMs = 0;    // until the last byte
    qint64 ttftMs = -1;      // until the first content chunk of a stream (or the response), -1 if none
    QString error;           // kind, empty on success: upstream_error, upstream_timeout, client_closed, ...
    bool estimated = false;  // token counts estimated by TokenFuse because the upstream gave none
    bool priceKnown = true;  // false when the fallback price was used
    int attempts = 1;        // upstream attempts made (retries and failover included); 0: refused before any
    QString fallbackFrom;    // the model the client asked for when every upstream of it was down and a fallback answered; empty: none
    QString keyFingerprint;  // of a passed-through provider key, never the key
    // Shown in the console's request detail, never stored: the request's headers, credentials
    // hidden (KeyRedactor::headersForDisplay), other secret-looking values scrubbed by
    // GatewayTotals before the row leaves for the console.
    QString requestHeaders;
};
Q_DECLARE_METATYPE(UsageRecord)
