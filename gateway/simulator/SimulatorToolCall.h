#pragma once

#include "SimulatorProfile.h"
#include "SimulatorToolRequest.h"

#include <QByteArray>
#include <QList>

#include <optional>

// The one tool call a simulated answer makes instead of text, and the rule that decides it:
// a scripted call (the tool-call knob) until the conversation holds the result of its last call,
// otherwise the call a tool_choice demands, of the named or first function tool, with arguments
// generated from that tool's schema. A call's arguments stream as fragments, one per output token.
struct SimulatorToolCall
{
    QByteArray id;        // call_... or toolu_..., given by the wire's dialect
    QByteArray name;
    QByteArray arguments; // a JSON object's text

    static std::optional<SimulatorToolCall> plan(const SimulatorToolRequest &request, const SimulatorProfile &knobs, quint64 seed);
    // The arguments cut into stream pieces: each run of letters and digits is one piece, each
    // other character one more, white space going with the piece after it. They join back into
    // the arguments exactly, and each counts as one output token.
    static QList<QByteArray> fragments(const QByteArray &arguments);
};
