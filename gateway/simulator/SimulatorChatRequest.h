#pragma once

#include "SimulatorError.h"
#include "SimulatorToolRequest.h"
#include "dialect/ApiDialect.h"

#include <QByteArray>

#include <optional>

// What the simulator needs from a chat request body, checked the way the real provider checks it
// (so a gateway bug that would make OpenAI or Anthropic answer 400 makes the simulator answer 400).
struct SimulatorChatRequest
{
    enum class Purpose { Completion, CountTokens };

    QByteArray model;          // as the client spelled it, echoed back
    bool stream = false;
    bool includeUsage = false; // OpenAI stream_options.include_usage
    int maxTokens = -1;        // max_completion_tokens / max_tokens; -1 when not given
    int promptTokens = 0;      // by SimulatorTokenizer
    quint64 seed = 0;          // from model + system + messages: the same request, the same answer
    SimulatorToolRequest tools; // tools, tool_choice and the conversation's tool calls

    // Parses a /v1/chat/completions (OpenAI) or /v1/messages (Anthropic) body, or a
    // /v1/messages/count_tokens body for Purpose::CountTokens (no max_tokens needed there).
    static std::optional<SimulatorChatRequest> parse(ApiDialect dialect, Purpose purpose, const QByteArray &body,
                                                     SimulatorError *error);
};
