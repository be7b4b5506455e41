#pragma once

#include "accounting/UsageRecord.h"

// Plausible usage rows for store tests; sample(n) is the same row every time for the same n.
namespace UsageSamples {

inline UsageRecord sample(int n, qint64 startedAt = 1'741'600'000'000)
{
    UsageRecord row;
    row.id = QStringLiteral("req-%1").arg(n, 8, 10, QLatin1Char('0'));
    row.startedAt = startedAt + n;
    row.endedAt = row.startedAt + 250 + n % 100;
    row.tenant = QStringLiteral("tenant-%1").arg(n % 3);
    row.session = QStringLiteral("session-%1").arg(n % 7);
    row.model = n % 2 ? QStringLiteral("deepseek-chat") : QStringLiteral("claude-sonnet");
    row.upstream = QStringLiteral("simulator");
    row.endpoint = QStringLiteral("/v1/chat/completions");
    row.stream = n % 2 == 0;
    row.status = 200;
    row.promptTokens = 100 + n;
    row.completionTokens = 20 + n % 50;
    row.cachedTokens = n % 10;
    row.costMicros = 1000 + n;
    row.latencyMs = 250 + n % 100;
    row.ttftMs = 40;
    return row;
}

} // namespace UsageSamples
