#pragma once

#include "SimulatorError.h"
#include "SimulatorToolRequest.h"

#include <QByteArray>

#include <optional>

// What the simulator needs from a POST /v1/responses body (the OpenAI Responses API), checked as
// OpenAI checks it. `input` is a string or a list of items (messages with content parts,
// function_call, function_call_output, reasoning, ...); fields the simulator has no use for
// (store, reasoning, include, previous_response_id, ...) are accepted and ignored.
struct SimulatorResponsesRequest
{
    // OpenAI refuses a smaller max_output_tokens.
    static constexpr int kMinOutputTokens = 16;

    QByteArray model;
    bool stream = false;
    int maxOutputTokens = -1;     // -1 when not given
    int promptTokens = 0;         // by SimulatorTokenizer: the input items as messages, instructions as a system prompt
    quint64 seed = 0;             // from model + instructions + input
    SimulatorToolRequest tools;
    // Echoed back in the response object, compact JSON text.
    QByteArray instructions = "null";
    QByteArray toolsJson = "[]";
    QByteArray toolChoice = "\"auto\"";

    static std::optional<SimulatorResponsesRequest> parse(const QByteArray &body, SimulatorError *error);
};
