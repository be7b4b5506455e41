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

QByteArray SimulatorOpenAiWire::chunk(const QByteArray &choices, const QByteArray &usage) const
{
    return m_chunkHead + choices + "]" + (usage.isEmpty() ? QByteArray() : R"(,"usage":)" + usage) + "}\n\n";
}

QByteArray SimulatorOpenAiWire::body() const
{
    QByteArray out = R"({"id":")" + m_answer.id + R"(","object":"chat.completion","created":)"
        + QByteArray::number(m_answer.created) + R"(,"model":)" + SimulatorJson::string(m_answer.model)
        + R"(,"choices":[{"index":0,"message":{"role":"assistant","content":)" + SimulatorJson::string(m_answer.text())
        + R"(,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":")" + (m_answer.cut ? "length" : "stop") + R"("}])";
    if (!m_answer.omitUsage)
        out += R"(,"usage":)" + usageObject();
    out += R"(,"service_tier":"default","system_fingerprint":null})";
    return out;
}

QByteArray SimulatorOpenAiWire::streamOpening() const
{
    return chunk(R"({"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null})",
                 m_usageInChunks ? "null" : "");
}

QByteArray SimulatorOpenAiWire::streamToken(int index) const
{
    return m_chunkHead + R"({"index":0,"delta":{"content":)" + SimulatorJson::string(m_answer.tokens.at(index)) + m_tokenTail;
}

QByteArray SimulatorOpenAiWire::streamClosing() const
{
    QByteArray out = chunk(R"({"index":0,"delta":{},"logprobs":null,"finish_reason":")" + QByteArray(m_answer.cut ? "length" : "stop") + "\"}",
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
    HttpHeaders h;
    if (stream) {
        h.add("content-type", "text/event-stream; charset=utf-8");
        h.add("cache-control", "no-cache");
    } else {
        h.add("content-type", "application/json");
    }
    h.add("x-request-id", "req_" + m_answer.id.mid(m_answer.id.indexOf('-') + 1));
    return h;
}
