#pragma once

#include "SimulatorToolCall.h"

#include <QByteArray>
#include <QList>

#include <optional>

// Everything about one simulated answer that its wire format needs: a copyable value.
struct SimulatorAnswer
{
    QByteArray id;             // chatcmpl-... or msg_...
    QByteArray model;          // echoed from the request, UTF-8
    qint64 created = 0;        // Unix seconds
    QList<QByteArray> tokens;  // the text of each completion token, UTF-8; for a tool call, its argument fragments
    std::optional<SimulatorToolCall> toolCall; // the answer is this call instead of text
    bool cut = false;          // stopped by max_tokens: finish_reason length / stop_reason max_tokens
    int promptTokens = 0;
    bool includeUsage = false; // OpenAI streams: stream_options.include_usage
    bool omitUsage = false;    // the no-usage fault: no usage anywhere

    int completionTokens() const { return int(tokens.size()); }
    QByteArray text() const { return tokens.join(); }
};
