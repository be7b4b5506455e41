#pragma once

#include "SimulatorWire.h"

// Anthropic Messages: a `message` object, or named events (message_start with the input tokens,
// content_block_start, ping, one text_delta per token, content_block_stop, message_delta with the
// stop reason and cumulative output tokens, message_stop). A tool call is a tool_use block, streamed
// as content_block_start with an empty input and one input_json_delta piece per token.
class SimulatorAnthropicWire : public SimulatorWire
{
public:
    explicit SimulatorAnthropicWire(const SimulatorAnswer &answer);

    QByteArray body() const override;
    QByteArray streamOpening() const override;
    QByteArray streamToken(int index) const override;
    QByteArray streamClosing() const override;
    QByteArray malformedEvent() const override;
    HttpHeaders headers(bool stream) const override;

private:
    QByteArray stopReason() const;
    QByteArray toolUseBlock(const QByteArray &input) const;
};
