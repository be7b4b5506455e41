#pragma once

#include "SseParser.h"
#include "TokenUsage.h"

#include <QByteArray>
#include <QString>

#include <functional>

// Watches one streamed response event by event: counts what passes, reads the usage the upstream
// reports, and decides what the client gets. One per stream, made by the stream's dialect.
class StreamMeter
{
public:
    virtual ~StreamMeter() = default;

    // Upstream body bytes in; bytes for the client out: whole events only, minus what the client
    // must not see. The terminal event ([DONE], message_stop) is held back: see takeTerminal().
    QByteArray feed(const QByteArray &bytes);
    // Asked after each event is counted, before it is forwarded: false stops the stream there.
    // The event that crossed is not forwarded (it is counted: the upstream sent it), nor is any
    // event after it; feed() returns nothing more from then on.
    using Gate = std::function<bool(const StreamMeter &)>;
    void setGate(Gate gate) { m_gate = std::move(gate); }
    bool wasStopped() const { return m_stopped; }
    // The held-back terminal event, sent once the request's row is safely stored.
    QByteArray takeTerminal() { return std::exchange(m_terminal, QByteArray()); }
    bool sawTerminal() const { return m_sawTerminal; }
    // The upstream sent an error event (after a 200).
    bool sawError() const { return m_sawError; }
    QString errorMessage() const { return m_errorMessage; }
    // An event that is not what the dialect's events are (not JSON): feed() stopped there, the
    // event not forwarded.
    bool sawMalformed() const { return m_malformed > 0; }
    int contentEvents() const { return m_contentEvents; }
    bool sawFirstContent() const { return m_contentEvents > 0; }
    // Usage as reported, or estimated from what streamed when the upstream reported none.
    TokenUsage usage(qint64 promptEstimate) const;
    // Completion tokens counted so far from the streamed text (conservative estimate).
    // Completion tokens so far: the text estimate (conservative: real tokenizers average more
    // characters per token), bounded by the request's max_tokens, which a provider honours; but
    // never fewer than one per content event, so a provider that runs past max_tokens is counted.
    qint64 countedCompletionTokens() const
    {
        const qint64 estimate = m_maxTokens >= 0 ? qMin(m_countedCompletion, m_maxTokens) : m_countedCompletion;
        return qMax<qint64>(estimate, m_contentEvents);
    }
    // The request's max_tokens (-1: none), set by the dialect that made this meter.
    void setMaxTokens(qint64 maxTokens) { m_maxTokens = maxTokens; }
    // An error event made by the dialect, fitted into this stream (Responses numbers its events).
    virtual QByteArray inSequence(const QByteArray &events) const { return events; }
    // Prompt tokens as the stream has reported them so far (Anthropic's message_start), or 0.
    qint64 reportedPromptTokens() const { return m_reported.promptTokens; }
    // The start of the answer's text as it streamed (at most OutputTextChars), for the loop
    // detector's ping-pong signal: reasoning and tool-call arguments are counted, not kept.
    static constexpr qsizetype OutputTextChars = 4096;
    QString outputText() const { return m_outputText; }

protected:
    enum class Verdict { Forward, Drop, Terminal };
    virtual Verdict inspect(const SseEvent &event) = 0;
    // `answer`: the text is the answer itself (kept for outputText()), not reasoning or a tool call.
    void countText(const QString &text, bool answer = true);
    void noteContent() { ++m_contentEvents; }

    TokenUsage m_reported;
    bool m_sawUsage = false;
    bool m_sawError = false;
    QString m_errorMessage;
    int m_malformed = 0;

private:
    SseParser m_parser;
    QByteArray m_terminal;
    bool m_sawTerminal = false;
    int m_contentEvents = 0;
    qint64 m_countedCompletion = 0;
    QString m_outputText;
    qint64 m_maxTokens = -1;
    Gate m_gate;
    bool m_stopped = false;
};
