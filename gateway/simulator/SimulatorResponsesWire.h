#pragma once

#include "SimulatorResponsesRequest.h"
#include "SimulatorWire.h"

// The OpenAI Responses API: a `response` object whose output is one `message` item (an
// output_text part) or one `function_call` item, or the named event stream with a
// sequence_number on every event: response.created, response.in_progress,
// response.output_item.added, then for text response.content_part.added, one
// response.output_text.delta per token, response.output_text.done, response.content_part.done, or
// for a call one response.function_call_arguments.delta per token and .done; then
// response.output_item.done and response.completed (response.incomplete when max_output_tokens
// cut the answer), whose response carries the usage.
class SimulatorResponsesWire : public SimulatorWire
{
public:
    SimulatorResponsesWire(const SimulatorAnswer &answer, const SimulatorResponsesRequest &request);

    QByteArray body() const override;
    QByteArray streamOpening() const override;
    QByteArray streamToken(int index) const override;
    QByteArray streamClosing() const override;
    QByteArray malformedEvent() const override;
    HttpHeaders headers(bool stream) const override;

private:
    enum class Phase { Started, Finished };
    // The response object, in progress (no output yet) or finished.
    QByteArray response(Phase phase) const;
    // The output item, in progress (empty) or finished.
    QByteArray item(Phase phase) const;
    QByteArray textPart(const QByteArray &text) const;
    QByteArray usage() const;
    static QByteArray event(const QByteArray &type, int sequence, const QByteArray &fields);
    // The events before the first token, so the tokens' sequence numbers follow them.
    int openingEvents() const { return m_answer.toolCall ? 3 : 4; }

    SimulatorResponsesRequest m_request;
    QByteArray m_itemId; // msg_... or fc_...
    QByteArray m_itemRef; // `"item_id":"...","output_index":0` shared by the item's events
};
