#include "SimulatorAnthropicWire.h"

#include "SimulatorJson.h"

SimulatorAnthropicWire::SimulatorAnthropicWire(const SimulatorAnswer &answer) : SimulatorWire(answer)
{
}

QByteArray SimulatorAnthropicWire::stopReason() const
{
    if (m_answer.cut)
        return "\"max_tokens\"";
    return m_answer.toolCall ? "\"tool_use\"" : "\"end_turn\"";
}

QByteArray SimulatorAnthropicWire::toolUseBlock(const QByteArray &input) const
{
    return R"({"type":"tool_use","id":)" + SimulatorJson::string(m_answer.toolCall->id) + R"(,"name":)"
        + SimulatorJson::string(m_answer.toolCall->name) + R"(,"input":)" + input + "}";
}

QByteArray SimulatorAnthropicWire::body() const
{
    QByteArray out = R"({"id":")" + m_answer.id + R"(","type":"message","role":"assistant","model":)"
        + SimulatorJson::string(m_answer.model) + R"(,"content":[)"
        // A call cut short by max_tokens has no whole input to give: Anthropic then sends an empty one.
        + (m_answer.toolCall ? toolUseBlock(m_answer.cut ? QByteArray("{}") : m_answer.text())
                             : R"({"type":"text","text":)" + SimulatorJson::string(m_answer.text()) + "}")
        + R"(],"stop_reason":)" + stopReason() + R"(,"stop_sequence":null)";
    if (!m_answer.omitUsage)
        out += R"(,"usage":{"input_tokens":)" + QByteArray::number(m_answer.promptTokens)
            + R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":)"
            + QByteArray::number(m_answer.completionTokens()) + "}";
    out += "}";
    return out;
}

QByteArray SimulatorAnthropicWire::streamOpening() const
{
    QByteArray out = "event: message_start\ndata: " R"({"type":"message_start","message":{"id":")" + m_answer.id
        + R"(","type":"message","role":"assistant","model":)" + SimulatorJson::string(m_answer.model)
        + R"(,"content":[],"stop_reason":null,"stop_sequence":null)";
    // Like the real API: message_start reports the input and one output token so far.
    if (!m_answer.omitUsage)
        out += R"(,"usage":{"input_tokens":)" + QByteArray::number(m_answer.promptTokens)
            + R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1})";
    out += "}}\n\n";
    const QByteArray block = m_answer.toolCall ? toolUseBlock("{}") : QByteArray(R"({"type":"text","text":""})");
    out += "event: content_block_start\ndata: " R"({"type":"content_block_start","index":0,"content_block":)" + block + "}\n\n";
    out += "event: ping\ndata: " R"({"type":"ping"})" "\n\n";
    return out;
}

QByteArray SimulatorAnthropicWire::streamToken(int index) const
{
    const QByteArray piece = SimulatorJson::string(m_answer.tokens.at(index));
    return "event: content_block_delta\ndata: " R"({"type":"content_block_delta","index":0,"delta":)"
        + QByteArray(m_answer.toolCall ? R"({"type":"input_json_delta","partial_json":)" : R"({"type":"text_delta","text":)") + piece + "}}\n\n";
}

QByteArray SimulatorAnthropicWire::streamClosing() const
{
    QByteArray out = "event: content_block_stop\ndata: " R"({"type":"content_block_stop","index":0})" "\n\n";
    out += "event: message_delta\ndata: " R"({"type":"message_delta","delta":{"stop_reason":)" + stopReason()
        + R"(,"stop_sequence":null})";
    // The count here is cumulative: the whole answer, not the tokens since message_start.
    if (!m_answer.omitUsage)
        out += R"(,"usage":{"output_tokens":)" + QByteArray::number(m_answer.completionTokens()) + "}";
    out += "}\n\n";
    out += "event: message_stop\ndata: " R"({"type":"message_stop"})" "\n\n";
    return out;
}

QByteArray SimulatorAnthropicWire::malformedEvent() const
{
    // Named like the events around it, so a client that dispatches on the name reaches its JSON parser.
    return "event: content_block_delta\ndata: {not json\n\n";
}

HttpHeaders SimulatorAnthropicWire::headers(bool stream) const
{
    HttpHeaders h = contentHeaders(stream);
    h.add("request-id", "req_" + m_answer.id.mid(4));
    return h;
}
