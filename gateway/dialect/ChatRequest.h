#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// What the gateway needs to know of a client's request, read once by its dialect.
struct ChatRequest
{
    QJsonObject body;
    QString model;
    bool stream = false;
    bool clientWantsUsage = false; // OpenAI: stream_options.include_usage as the client sent it
    qint64 maxTokens = -1;         // the client's output limit (1 to 2^31 - 1), -1 when absent
    // The JSON key of the output limit: the one the client used, else the endpoint's natural key
    // (max_tokens for chat completions and messages; max_output_tokens for responses).
    QByteArray outputLimitKey;
    // Set by ProxyExchange when a budget clamps (or injects) the output limit; when >= 0 the
    // dialect's upstreamBody() writes it under outputLimitKey and drops any other output-limit key.
    qint64 forwardMaxTokens = -1;
    qint64 promptEstimate = 0;     // TokenFuse's conservative estimate of the prompt
};
