#include "SimulatorResponsesWire.h"

#include "SimulatorJson.h"

SimulatorResponsesWire::SimulatorResponsesWire(const SimulatorAnswer &answer, const SimulatorResponsesRequest &request)
    : SimulatorWire(answer), m_request(request)
{
    // Item ids in OpenAI's shape, derived from the response id (resp_...).
    m_itemId = (m_answer.toolCall ? "fc_" : "msg_") + m_answer.id.mid(5);
    m_itemRef = R"("item_id":")" + m_itemId + R"(","output_index":0)";
}

QByteArray SimulatorResponsesWire::usage() const
{
    const int input = m_answer.promptTokens;
    const int output = m_answer.completionTokens();
    return R"({"input_tokens":)" + QByteArray::number(input) + R"(,"input_tokens_details":{"cached_tokens":0},"output_tokens":)"
        + QByteArray::number(output) + R"(,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":)"
        + QByteArray::number(input + output) + "}";
}

QByteArray SimulatorResponsesWire::textPart(const QByteArray &text) const
{
    return R"({"type":"output_text","annotations":[],"logprobs":[],"text":)" + SimulatorJson::string(text) + "}";
}

QByteArray SimulatorResponsesWire::item(Phase phase) const
{
    const bool done = phase == Phase::Finished;
    const QByteArray status = !done ? "in_progress" : m_answer.cut ? "incomplete" : "completed";
    if (const auto &call = m_answer.toolCall)
        return R"({"id":")" + m_itemId + R"(","type":"function_call","status":")" + status + R"(","arguments":)"
            + SimulatorJson::string(done ? m_answer.text() : QByteArray()) + R"(,"call_id":)" + SimulatorJson::string(call->id)
            + R"(,"name":)" + SimulatorJson::string(call->name) + "}";
    return R"({"id":")" + m_itemId + R"(","type":"message","status":")" + status + R"(","content":[)"
        + (done ? textPart(m_answer.text()) : QByteArray()) + R"(],"role":"assistant"})";
}

QByteArray SimulatorResponsesWire::response(Phase phase) const
{
    const bool done = phase == Phase::Finished;
    const QByteArray status = !done ? "in_progress" : m_answer.cut ? "incomplete" : "completed";
    QByteArray out = R"({"id":")" + m_answer.id + R"(","object":"response","created_at":)" + QByteArray::number(m_answer.created)
        + R"(,"status":")" + status + R"(","background":false,"error":null,"incomplete_details":)"
        + (done && m_answer.cut ? R"({"reason":"max_output_tokens"})" : "null") + R"(,"instructions":)" + m_request.instructions
        + R"(,"max_output_tokens":)" + (m_request.maxOutputTokens < 0 ? QByteArray("null") : QByteArray::number(m_request.maxOutputTokens))
        + R"(,"model":)" + SimulatorJson::string(m_answer.model) + R"(,"output":[)" + (done ? item(Phase::Finished) : QByteArray())
        + R"(],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null})"
        + R"(,"service_tier":"default","store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":)"
        + m_request.toolChoice + R"(,"tools":)" + m_request.toolsJson + R"(,"top_p":1.0,"truncation":"disabled")";
    // The no-usage fault leaves usage out altogether, as an upstream that does not report it would.
    if (!m_answer.omitUsage)
        out += R"(,"usage":)" + (done ? usage() : QByteArray("null"));
    out += R"(,"user":null,"metadata":{}})";
    return out;
}

QByteArray SimulatorResponsesWire::event(const QByteArray &type, int sequence, const QByteArray &fields)
{
    return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + QByteArray::number(sequence)
        + (fields.isEmpty() ? QByteArray() : ',' + fields) + "}\n\n";
}

QByteArray SimulatorResponsesWire::body() const
{
    return response(Phase::Finished);
}

QByteArray SimulatorResponsesWire::streamOpening() const
{
    QByteArray out = event("response.created", 0, R"("response":)" + response(Phase::Started));
    out += event("response.in_progress", 1, R"("response":)" + response(Phase::Started));
    out += event("response.output_item.added", 2, R"("output_index":0,"item":)" + item(Phase::Started));
    if (!m_answer.toolCall)
        out += event("response.content_part.added", 3, m_itemRef + R"(,"content_index":0,"part":)" + textPart({}));
    return out;
}

QByteArray SimulatorResponsesWire::streamToken(int index) const
{
    const QByteArray piece = SimulatorJson::string(m_answer.tokens.at(index));
    const int sequence = openingEvents() + index;
    if (m_answer.toolCall)
        return event("response.function_call_arguments.delta", sequence, m_itemRef + R"(,"delta":)" + piece);
    return event("response.output_text.delta", sequence, m_itemRef + R"(,"content_index":0,"delta":)" + piece + R"(,"logprobs":[])");
}

QByteArray SimulatorResponsesWire::streamClosing() const
{
    int sequence = openingEvents() + m_answer.completionTokens();
    const QByteArray text = SimulatorJson::string(m_answer.text());
    QByteArray out;
    if (m_answer.toolCall) {
        out += event("response.function_call_arguments.done", sequence++,
                     m_itemRef + R"(,"name":)" + SimulatorJson::string(m_answer.toolCall->name) + R"(,"arguments":)" + text);
    } else {
        out += event("response.output_text.done", sequence++, m_itemRef + R"(,"content_index":0,"text":)" + text + R"(,"logprobs":[])");
        out += event("response.content_part.done", sequence++,
                     m_itemRef + R"(,"content_index":0,"part":)" + textPart(m_answer.text()));
    }
    out += event("response.output_item.done", sequence++, R"("output_index":0,"item":)" + item(Phase::Finished));
    out += event(m_answer.cut ? "response.incomplete" : "response.completed", sequence, R"("response":)" + response(Phase::Finished));
    return out;
}

QByteArray SimulatorResponsesWire::malformedEvent() const
{
    return "event: response.output_text.delta\ndata: {not json\n\n";
}

HttpHeaders SimulatorResponsesWire::headers(bool stream) const
{
    HttpHeaders h = contentHeaders(stream);
    h.add("x-request-id", "req_" + m_answer.id.mid(5));
    return h;
}
