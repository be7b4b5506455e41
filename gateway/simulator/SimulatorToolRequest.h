#pragma once

#include "SimulatorRequestCheck.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

// One function tool a request offers.
struct SimulatorTool
{
    QByteArray name;
    QJsonObject parameters; // its JSON schema (OpenAI `parameters`, Anthropic `input_schema`)
};

// What a request says about tools, in any of the three wire formats: the function tools it
// offers, whether its tool_choice demands a call (and of which tool), and whether the
// conversation's last tool call already has its result. Tools of other kinds (web search,
// shell, ...) are accepted and left out: the simulator only ever calls function tools.
struct SimulatorToolRequest
{
    enum class Wire { Chat, Messages, Responses };

    QList<SimulatorTool> tools;
    bool callRequired = false;     // "required", {type:"any"}, or a named tool
    QByteArray forcedName;         // the tool a named tool_choice asks for
    bool lastCallAnswered = false; // a tool result follows the conversation's last tool call

    const SimulatorTool *find(const QByteArray &name) const;

    // Reads `tools` and `tool_choice` from the body and the tool calls and results from the
    // conversation (chat `messages` or Responses `input` items). A tool_choice that cannot be
    // honoured (no tools, or a name that is not among them) is a 400, as at the provider.
    static bool read(Wire wire, const QJsonObject &body, const QJsonArray &conversation, const SimulatorRequestCheck &check,
                     SimulatorToolRequest *out);
};
