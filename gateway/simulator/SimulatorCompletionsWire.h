#pragma once

#include "SimulatorWire.h"

// OpenAI's legacy text completions: a `text_completion` object with `choices[].text`, or
// `data: {text_completion}` events (one per token, a last one with the finish reason, the usage
// event with `choices: []` when stream_options.include_usage asked for it, then `data: [DONE]`).
class SimulatorCompletionsWire : public SimulatorWire
{
public:
    explicit SimulatorCompletionsWire(const SimulatorAnswer &answer);

    QByteArray body() const override;
    QByteArray streamOpening() const override { return {}; } // no role chunk on this endpoint
    QByteArray streamToken(int index) const override;
    QByteArray streamClosing() const override;
    QByteArray malformedEvent() const override;
    HttpHeaders headers(bool stream) const override;

private:
    QByteArray usage() const;
    QByteArray event(const QByteArray &choices, const QByteArray &usage) const;
    QByteArray choice(const QByteArray &text, const QByteArray &finishReason) const;

    bool m_usageInChunks;
    QByteArray m_head; // `{"id":...,"object":"text_completion","created":...,"model":...,`
};
