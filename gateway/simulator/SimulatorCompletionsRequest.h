#pragma once

#include "SimulatorError.h"

#include <QByteArray>

#include <optional>

// What the simulator needs from a POST /v1/completions body (OpenAI's legacy text completions),
// checked as OpenAI checks it. `prompt` is a string, a list of strings, or token ids (a list of
// numbers or of lists of numbers); all of it is one prompt, answered with one choice.
struct SimulatorCompletionsRequest
{
    // OpenAI's default max_tokens for this endpoint: an answer is cut there unless asked for more.
    static constexpr int kDefaultMaxTokens = 16;

    QByteArray model;
    bool stream = false;
    bool includeUsage = false;
    int maxTokens = kDefaultMaxTokens;
    int promptTokens = 0; // the prompt's tokens by SimulatorTokenizer (token ids count one each)
    quint64 seed = 0;     // from model + prompt

    static std::optional<SimulatorCompletionsRequest> parse(const QByteArray &body, SimulatorError *error);
};
