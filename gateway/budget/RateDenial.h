#pragma once

#include "RateLimitRule.h"

#include <QString>

#include <optional>

// Why a rate limit refuses a request now, and when trying again makes sense.
struct RateDenial
{
    RateLimitRule rule;
    QString subject;           // the tenant or session
    QString limitName;         // "requests per minute", "tokens per minute" or "concurrent requests"
    qint64 limit = 0;
    qint64 current = 0;        // counted in the last 60 s (or running now, for concurrency)
    qint64 retryAfterMs = 0;   // for retry-after / retry-after-ms
    QString message;
};

// The answer to RateLimiter::admit(): a ticket to release when the request ends, or a denial.
struct RateAdmission
{
    quint64 ticket = 0;
    std::optional<RateDenial> denial;

    bool admitted() const { return !denial.has_value(); }
};

// What the tightest rate limit leaves for a subject, for x-ratelimit-remaining-requests and
// x-ratelimit-remaining-tokens; -1 where no rule limits that dimension.
struct RateRemaining
{
    qint64 requests = -1;
    qint64 tokens = -1;
};
