#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

// One tool call a request's history carries, with the result the client sent back for it.
struct ToolCallSeen
{
    QString key;          // the call's id ("call_…", "toolu_…"), or its place in the history when it has none
    QString name;
    quint64 arguments = 0; // hash of the canonical arguments (JSON keys sorted, no whitespace)
    QString result;        // the result the client sent back (capped), null when the request carries none
    bool latest = false;   // made in the request's latest assistant turn
};

// What the loop detector reads of one request body, in any dialect (OpenAI chat `messages`,
// Anthropic `messages`, Responses `input`, completions `prompt`): the latest turns only, since
// every request of an agent re-sends the whole history and only its end tells two requests apart,
// and the tool calls of the history's tail. Text is capped, so a 200 KB body costs no more than a
// small one.
struct PromptDigest
{
    static constexpr qsizetype MaxTextChars = 16384;
    static constexpr int MaxToolCalls = 24;

    // Chat, messages, responses and completions; embeddings and anything else are not observed
    // for repetition (a batch of embeddings is normal work).
    bool counted = false;
    QString latestInput;      // the last user turn and the tool results after the last assistant turn
    QString latestAssistant;  // that assistant turn: its text and its tool calls (name and arguments)
    QList<ToolCallSeen> toolCalls; // oldest first

    // The latest turns as one text, for repetition.
    QString latestTurns() const { return latestAssistant + QLatin1Char('\n') + latestInput; }

    static PromptDigest read(const QByteArray &endpoint, const QJsonObject &body);
    // JSON with keys sorted and no whitespace; a string holding JSON (OpenAI's `arguments`) is
    // read first, so {"b":1, "a":2} and "{\"a\":2,\"b\":1}" are the same arguments.
    static QByteArray canonicalJson(const QJsonValue &value);
};
