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
    qint64 maxTokens = -1;         // max_tokens / max_completion_tokens, -1 when absent
    qint64 promptEstimate = 0;     // TokenFuse's conservative estimate of the prompt
};
