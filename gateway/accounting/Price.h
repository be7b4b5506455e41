#pragma once

#include <QMetaType>
#include <QString>

// What one model costs, as the price table found it. Money is integer micro-units of the currency
// (1 USD = 1,000,000) per million tokens, never floating point, so budgets add up exactly.
// A copyable value: the proxy looks it up once per request and keeps it for settling.
struct Price
{
    qint64 input = 0;        // per million prompt tokens not read from a cache
    qint64 cachedInput = 0;  // per million prompt tokens read from the provider's cache
    qint64 output = 0;       // per million completion tokens (reasoning tokens included)
    QString currency = QStringLiteral("USD");
    bool isFallback = false; // no entry matched: the deliberately high fallback was used
    QString matchedPattern;  // the table or config key that matched, e.g. "gpt-4o-mini*"; empty for the fallback

    bool operator==(const Price &other) const = default;
};
Q_DECLARE_METATYPE(Price)
