#pragma once

#include "SimulatorWire.h"

// OpenAI Chat Completions: a `chat.completion` object, or `data: {chat.completion.chunk}` events
// (role chunk, one content chunk per token, finish chunk, the usage chunk with `choices: []` when
// stream_options.include_usage asked for it, then `data: [DONE]`). A tool call is `message.tool_calls`,
// or streamed as a role chunk naming the call and one `delta.tool_calls` arguments piece per token.
class SimulatorOpenAiWire : public SimulatorWire
{
public:
    explicit SimulatorOpenAiWire(const SimulatorAnswer &answer);

    QByteArray body() const override;
    QByteArray streamOpening() const override;
    QByteArray streamToken(int index) const override;
    QByteArray streamClosing() const override;
    QByteArray malformedEvent() const override;
    HttpHeaders headers(bool stream) const override;

private:
    QByteArray usageObject() const;
    QByteArray finishReason() const;
    QByteArray chunk(const QByteArray &choices, const QByteArray &usage) const;

    bool m_usageInChunks;    // include_usage asked for and not suppressed by the no-usage fault
    QByteArray m_chunkHead;  // `data: {"id":...,"model":...,"choices":[` shared by every chunk
    QByteArray m_tokenTail;  // what follows a token's text in its chunk
};
