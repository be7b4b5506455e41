#include "SimulatorOpenAiWire.h"

#include "SimulatorJson.h"

SimulatorOpenAiWire::SimulatorOpenAiWire(const SimulatorAnswer &answer)
    : SimulatorWire(answer), m_usageInChunks(answer.includeUsage && !answer.omitUsage)
{
    m_chunkHead = R"(data: {"id":")" + m_answer.id + R"(","object":"chat.completion.chunk","created":)"
        + QByteArray::number(m_answer.created) + R"(,"model":)" + SimulatorJson::string(m_answer.model)
        + R"(,"system_fingerprint":null,"choices":[)";
    m_tokenTail = R"(},"logprobs":null,"finish_reason":null}])" + QByteArray(m_usageInChunks ? R"(,"usage":null)" : "")
        + "}\n\n";
}

QByteArray SimulatorOpenAiWire::usageObject() const
{
    const int prompt = m_answer.promptTokens;
    const int completion = m_answer.completionTokens();
    return R"({"prompt_tokens":)" + QByteArray::number(prompt) + R"(,"completion_tokens":)" + QByteArray::number(completion)
        + R"(,"total_tokens":)" + QByteArray::number(prompt + completion)
        + R"(,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0})"
        + R"(,"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
}

QByteArray SimulatorOpenAiWire::finishReason() const
{
    if (m_answer.cut)
        return "length";
    return m_answer.toolCall ? "tool_calls" : "stop";
}

QByteArray SimulatorOpenAiWire::chunk(const QByteArray &choices, const QByteArray &usage) const
{
    return m_chunkHead + choices + "]" + (usage.isEmpty() ? QByteArray() : R"(,"usage":)" + usage) + "}\n\n";
}

QByteArray SimulatorOpenAiWire::body() const
{
    QByteArray out = R"({"id":")" + m_answer.id + R"(","object":"chat.completion","created":)"
        + QByteArray::number(m_answer.created) + R"(,"model":)" + SimulatorJson::string(m_answer.model)
        + R"(,"choices":[{"index":0,"message":{"role":"assistant","content":)";
    if (const auto &call = m_answer.toolCall)
        out += R"(null,"tool_calls":[{"id":)" + SimulatorJson::string(call->id) + R"(,"type":"function","function":{"name":)"
            + SimulatorJson::string(call->name) + R"(,"arguments":)" + SimulatorJson::string(m_answer.text()) + "}}]";
    else
        out += SimulatorJson::string(m_answer.text());
    out += R"(,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":")" + finishReason() + R"("}])";
    if (!m_answer.omitUsage)
        out += R"(,"usage":)" + usageObject();
    out += R"(,"service_tier":"default","system_fingerprint":null})";
    return out;
}

QByteArray SimulatorOpenAiWire::streamOpening() const
{
    // A tool call opens with its id and name and empty arguments; the arguments follow in pieces.
    const QByteArray content = m_answer.toolCall
        ? R"(null,"tool_calls":[{"index":0,"id":)" + SimulatorJson::string(m_answer.toolCall->id)
            + R"(,"type":"function","function":{"name":)" + SimulatorJson::string(m_answer.toolCall->name) + R"(,"arguments":""}}])"
        : QByteArray(R"("")");
    return chunk(R"({"index":0,"delta":{"role":"assistant","content":)" + content + R"(,"refusal":null},"logprobs":null,"finish_reason":null})",
                 m_usageInChunks ? "null" : "");
}

QByteArray SimulatorOpenAiWire::streamToken(int index) const
{
    const QByteArray piece = SimulatorJson::string(m_answer.tokens.at(index));
    if (m_answer.toolCall)
        return m_chunkHead + R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":)" + piece + "}}]" + m_tokenTail;
    return m_chunkHead + R"({"index":0,"delta":{"content":)" + piece + m_tokenTail;
}

QByteArray SimulatorOpenAiWire::streamClosing() const
{
    QByteArray out = chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":")" + finishReason() + "\"}",
                           m_usageInChunks ? "null" : "");
    if (m_usageInChunks)
        out += chunk({}, usageObject());
    out += "data: [DONE]\n\n";
    return out;
}

QByteArray SimulatorOpenAiWire::malformedEvent() const
{
    return "data: {not json\n\n";
}

HttpHeaders SimulatorOpenAiWire::headers(bool stream) const
{
    HttpHeaders h = contentHeaders(stream);
    h.add("x-request-id", "req_" + m_answer.id.mid(m_answer.id.indexOf('-') + 1));
    return h;
}
