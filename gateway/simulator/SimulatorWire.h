#pragma once

#include "SimulatorAnswer.h"
#include "dialect/ApiDialect.h"
#include "http/HttpHeaders.h"

#include <memory>

// Writes one simulated answer in one API dialect's exact wire format: the whole JSON body, or a
// server-sent event stream cut into the pieces the simulator paces out one by one.
class SimulatorWire
{
public:
    static std::unique_ptr<SimulatorWire> create(ApiDialect dialect, const SimulatorAnswer &answer);
    virtual ~SimulatorWire() = default;

    const SimulatorAnswer &answer() const { return m_answer; }

    virtual QByteArray body() const = 0;
    // Events before the first token (OpenAI's role chunk; Anthropic's message_start, content_block_start, ping).
    virtual QByteArray streamOpening() const = 0;
    virtual QByteArray streamToken(int index) const = 0;
    // Events after the last token, through [DONE] or message_stop.
    virtual QByteArray streamClosing() const = 0;
    // The malformed:N fault: one event whose data is not JSON.
    virtual QByteArray malformedEvent() const = 0;
    // Response headers for the whole body or for the event stream.
    virtual HttpHeaders headers(bool stream) const = 0;

protected:
    explicit SimulatorWire(const SimulatorAnswer &answer) : m_answer(answer) {}
    // content-type (and cache-control for a stream), which every dialect sends alike.
    static HttpHeaders contentHeaders(bool stream);

    SimulatorAnswer m_answer;
};
