#include "SimulatorExchange.h"

#include "http/HttpResponder.h"

#include <cmath>

namespace {
// A client that reads slower than we write: stop pacing until its socket drains rather than
// buffering an unbounded answer in memory, as TCP back-pressure does to a real provider.
constexpr qint64 kMaxBufferedBytes = 256 * 1024;
constexpr qint64 kBackoffMs = 10;
// "As fast as possible" still goes out in slices, so a million-token answer neither sits in
// memory whole nor holds the event loop: the rest is due again at once, after other work.
constexpr int kMaxTokensPerStep = 512;
} // namespace

SimulatorExchange::SimulatorExchange(Kind kind, HttpResponder *responder, std::unique_ptr<SimulatorWire> wire,
                                     const SimulatorProfile &knobs, qint64 startMs)
    : m_kind(kind), m_responder(responder), m_wire(std::move(wire)), m_knobs(knobs),
      m_firstTokenMs(startMs + knobs.ttftMs),
      m_intervalMs(knobs.tokensPerSecond > 0 ? 1000.0 / knobs.tokensPerSecond : 0.0)
{
}

void SimulatorExchange::begin()
{
    if (m_kind == Kind::Stream && open())
        m_responder->beginStream(200, m_wire->headers(true));
}

qint64 SimulatorExchange::tokenDueMs(int index) const
{
    return m_firstTokenMs + qint64(std::llround(index * m_intervalMs));
}

qint64 SimulatorExchange::firstDueMs() const
{
    switch (m_kind) {
    case Kind::Hang:
        return -1;
    case Kind::Stream:
        return m_firstTokenMs;
    case Kind::Whole:
        // A whole answer takes as long as streaming it would: it is ready with its last token.
        return tokenDueMs(qMax(0, m_wire->answer().completionTokens() - 1));
    }
    return -1;
}

bool SimulatorExchange::open() const
{
    return m_responder && m_responder->isOpen();
}

qint64 SimulatorExchange::step(qint64 nowMs)
{
    if (!open())
        return -1;
    switch (m_kind) {
    case Kind::Stream:
        return stepStream(nowMs);
    case Kind::Whole:
        return stepWhole();
    case Kind::Hang:
        return -1;
    }
    return -1;
}

qint64 SimulatorExchange::stepWhole()
{
    if (m_knobs.disconnectAfterTokens >= 0) {
        m_responder->abortConnection();
        return -1;
    }
    const SimulatorWire &wire = *m_wire;
    // A whole answer has no events to break: malformed:N breaks the body itself.
    const QByteArray body = m_knobs.malformedAfterTokens >= 0 ? QByteArray("{not json") : wire.body();
    m_responder->respond(200, wire.headers(false), body);
    m_completed = true;
    return -1;
}

qint64 SimulatorExchange::dropConnection(qint64 nowMs)
{
    if (m_responder->bytesToWrite() > 0)
        return nowMs + kBackoffMs;
    m_responder->abortConnection();
    return -1;
}

qint64 SimulatorExchange::stepStream(qint64 nowMs)
{
    if (m_responder->bytesToWrite() > kMaxBufferedBytes)
        return nowMs + kBackoffMs;

    const int total = m_wire->answer().completionTokens();
    QByteArray out;
    if (!m_openingSent) {
        out += m_wire->streamOpening();
        m_openingSent = true;
    }
    // Everything due by now goes out in one write: at a high pace several tokens share a wake-up.
    for (int batch = 0;; ++batch) {
        if (m_knobs.malformedAfterTokens == m_sent && !m_malformedSent) {
            out += m_wire->malformedEvent();
            m_malformedSent = true;
        }
        if (m_knobs.disconnectAfterTokens == m_sent) {
            m_responder->writeChunk(out);
            return open() ? dropConnection(nowMs) : -1;
        }
        if (m_knobs.stallAfterTokens == m_sent) {
            // Silent from here on, the connection kept open: a provider hanging mid-stream.
            m_responder->writeChunk(out);
            return -1;
        }
        if (m_sent >= total || tokenDueMs(m_sent) > nowMs)
            break;
        if (batch == kMaxTokensPerStep) {
            m_responder->writeChunk(out);
            return nowMs;
        }
        out += m_wire->streamToken(m_sent);
        ++m_sent;
    }
    if (m_sent < total) {
        m_responder->writeChunk(out);
        return tokenDueMs(m_sent);
    }
    out += m_wire->streamClosing();
    m_responder->writeChunk(out);
    if (!open())
        return -1;
    m_responder->endStream();
    m_completed = true;
    return -1;
}
