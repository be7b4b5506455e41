#pragma once

#include "SimulatorProfile.h"
#include "SimulatorWire.h"

#include <QPointer>

#include <memory>

class HttpResponder;

// One answer the simulator gives over time: a paced event stream, a whole answer that waits for
// its simulated generation time, or a request left hanging. It knows when each piece is due
// (first token after ttft, then one every 1/tokens-per-second) and which fault to stage; the
// SimulatorPacer decides when to call step().
class SimulatorExchange
{
public:
    enum class Kind { Stream, Whole, Hang };

    SimulatorExchange(Kind kind, HttpResponder *responder, std::unique_ptr<SimulatorWire> wire,
                      const SimulatorProfile &knobs, qint64 startMs);

    Kind kind() const { return m_kind; }
    // Sends a stream's response head: real providers send it at once, the events follow at their pace.
    void begin();
    // When the first step is due; -1 for a hanging request, which never steps.
    qint64 firstDueMs() const;
    // Writes whatever is due by nowMs. Returns when the next step is due, or -1 when finished.
    // It may lose its client while writing (the socket can fail inside a write); the owner then
    // learns so from HttpResponder::clientGone and must not delete the exchange mid-step.
    qint64 step(qint64 nowMs);
    // The answer was written to the end (not dropped by a fault or lost with the client).
    bool completed() const { return m_completed; }

private:
    qint64 tokenDueMs(int index) const;
    qint64 stepStream(qint64 nowMs);
    qint64 stepWhole();
    bool open() const;
    // The disconnect:N fault: drop the connection once what was written has left, so the client
    // sees exactly N tokens. Returns when to look again, or -1 once dropped.
    qint64 dropConnection(qint64 nowMs);

    Kind m_kind;
    QPointer<HttpResponder> m_responder;
    std::unique_ptr<SimulatorWire> m_wire;
    SimulatorProfile m_knobs;
    qint64 m_firstTokenMs;
    double m_intervalMs;
    int m_sent = 0;              // tokens written so far
    bool m_openingSent = false;
    bool m_malformedSent = false;
    bool m_completed = false;
};
