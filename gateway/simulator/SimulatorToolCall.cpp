#include "SimulatorToolCall.h"

#include "SimulatorSchemaArguments.h"
#include "SimulatorText.h"

std::optional<SimulatorToolCall> SimulatorToolCall::plan(const SimulatorToolRequest &request, const SimulatorProfile &knobs,
                                                         quint64 seed)
{
    SimulatorToolCall call;
    if (!knobs.toolCallName.isEmpty()) {
        // A scripted loop: call, get the result back, answer with text, so the agent finishes.
        if (request.lastCallAnswered)
            return std::nullopt;
        call.name = knobs.toolCallName.toUtf8();
        if (!knobs.toolCallArguments.isEmpty()) {
            call.arguments = knobs.toolCallArguments;
        } else {
            const SimulatorTool *tool = request.find(call.name);
            call.arguments = SimulatorSchemaArguments::generate(tool ? tool->parameters : QJsonObject(),
                                                                SimulatorText::hash(call.name, seed));
        }
        return call;
    }
    if (!request.callRequired || request.tools.isEmpty())
        return std::nullopt;
    const SimulatorTool *tool = request.forcedName.isEmpty() ? &request.tools.first() : request.find(request.forcedName);
    if (!tool)
        return std::nullopt;
    call.name = tool->name;
    call.arguments = SimulatorSchemaArguments::generate(tool->parameters, SimulatorText::hash(call.name, seed));
    return call;
}

QList<QByteArray> SimulatorToolCall::fragments(const QByteArray &arguments)
{
    auto isWord = [](char c) {
        const auto u = quint8(c);
        // Bytes of multi-byte UTF-8 characters stay in the run, so no piece splits a character.
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || u >= 0x80;
    };
    auto isSpace = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    QList<QByteArray> out;
    QByteArray piece;
    bool pieceHasToken = false;
    bool inWord = false;
    for (const char c : arguments) {
        if (isSpace(c)) {
            if (pieceHasToken) {
                out.append(piece);
                piece.clear();
                pieceHasToken = false;
            }
            piece += c;
            inWord = false;
            continue;
        }
        const bool word = isWord(c);
        if (pieceHasToken && !(word && inWord)) {
            out.append(piece);
            piece.clear();
        }
        piece += c;
        pieceHasToken = true;
        inWord = word;
    }
    if (!piece.isEmpty()) {
        if (pieceHasToken || out.isEmpty())
            out.append(piece);
        else
            out.last() += piece; // trailing white space joins the last piece
    }
    return out;
}
