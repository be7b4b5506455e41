#pragma once

#include "upstream/UpstreamView.h"

// Upstream views as a snapshot would carry them, for the model and page tests.
namespace UpstreamSamples {
inline UpstreamView upstream(const QString &name, const QString &breaker = QStringLiteral("closed"))
{
    UpstreamView v;
    v.name = name;
    v.preset = name == QLatin1String("deepseek") ? QStringLiteral("deepseek") : QString();
    v.dialect = QStringLiteral("openai");
    v.baseUrl = QStringLiteral("https://api.%1.example/v1").arg(name);
    v.keySource = QStringLiteral("env:%1_API_KEY").arg(name.toUpper());
    v.keyHint = QStringLiteral("sk-…a1b2");
    v.models = {name + QStringLiteral("-*")};
    v.breaker = breaker;
    v.inFlight = 2;
    v.limit = 8;
    v.configuredLimit = 8;
    v.queued = 1;
    v.maxQueue = 32;
    v.requests = 40;
    v.failures = 2;
    v.errorRate = 0.05;
    v.latencyP50Ms = 420;
    v.latencyP99Ms = 2300;
    v.ttftP50Ms = 180;
    if (breaker != QLatin1String("closed")) {
        v.breakerReason = QStringLiteral("5 failures in a row (last: 503)");
        v.breakerSinceMs = 1'700'000'000'000;
    }
    return v;
}
} // namespace UpstreamSamples
