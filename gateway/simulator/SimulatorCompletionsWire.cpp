#include "SimulatorCompletionsWire.h"

#include "SimulatorJson.h"

SimulatorCompletionsWire::SimulatorCompletionsWire(const SimulatorAnswer &answer)
    : SimulatorWire(answer), m_usageInChunks(answer.includeUsage && !answer.omitUsage)
{
    m_head = R"({"id":")" + m_answer.id + R"(","object":"text_completion","created":)" + QByteArray::number(m_answer.created)
        + R"(,"model":)" + SimulatorJson::string(m_answer.model) + ",";
}

QByteArray SimulatorCompletionsWire::usage() const
{
    const int prompt = m_answer.promptTokens;
    const int completion = m_answer.completionTokens();
    return R"({"prompt_tokens":)" + QByteArray::number(prompt) + R"(,"completion_tokens":)" + QByteArray::number(completion)
        + R"(,"total_tokens":)" + QByteArray::number(prompt + completion) + "}";
}

QByteArray SimulatorCompletionsWire::choice(const QByteArray &text, const QByteArray &finishReason) const
{
    return R"({"text":)" + SimulatorJson::string(text) + R"(,"index":0,"logprobs":null,"finish_reason":)" + finishReason + "}";
}

QByteArray SimulatorCompletionsWire::event(const QByteArray &choices, const QByteArray &usageText) const
{
    return "data: " + m_head + R"("system_fingerprint":null,"choices":[)" + choices + "]"
        + (usageText.isEmpty() ? QByteArray() : R"(,"usage":)" + usageText) + "}\n\n";
}

QByteArray SimulatorCompletionsWire::body() const
{
    QByteArray out = m_head + R"("system_fingerprint":null,"choices":[)"
        + choice(m_answer.text(), m_answer.cut ? "\"length\"" : "\"stop\"") + "]";
    if (!m_answer.omitUsage)
        out += R"(,"usage":)" + usage();
    return out + "}";
}

QByteArray SimulatorCompletionsWire::streamToken(int index) const
{
    return event(choice(m_answer.tokens.at(index), "null"), m_usageInChunks ? "null" : "");
}

QByteArray SimulatorCompletionsWire::streamClosing() const
{
    QByteArray out = event(choice({}, m_answer.cut ? "\"length\"" : "\"stop\""), m_usageInChunks ? "null" : "");
    if (m_usageInChunks)
        out += event({}, usage());
    return out + "data: [DONE]\n\n";
}

QByteArray SimulatorCompletionsWire::malformedEvent() const
{
    return "data: {not json\n\n";
}

HttpHeaders SimulatorCompletionsWire::headers(bool stream) const
{
    HttpHeaders h = contentHeaders(stream);
    h.add("x-request-id", "req_" + m_answer.id.mid(m_answer.id.indexOf('-') + 1));
    return h;
}
