#include "StreamMeter.h"

#include "accounting/TokenEstimator.h"

QByteArray StreamMeter::feed(const QByteArray &bytes)
{
    QByteArray out;
    if (m_stopped)
        return out;
    for (const SseEvent &e : m_parser.feed(bytes)) {
        const Verdict verdict = inspect(e);
        // A broken event is not passed on (the client's SDK would choke on it), nor is anything
        // after it: the stream ends there, with an error event of the gateway's.
        if (m_malformed > 0) {
            m_stopped = true;
            break;
        }
        if (m_gate && !m_gate(*this)) {
            m_stopped = true;
            break;
        }
        switch (verdict) {
        case Verdict::Forward:
            out += e.raw;
            break;
        case Verdict::Drop:
            break;
        case Verdict::Terminal:
            m_sawTerminal = true;
            m_terminal += e.raw;
            break;
        }
    }
    return out;
}

void StreamMeter::countText(const QString &text, bool answer)
{
    m_countedCompletion += TokenEstimator::estimateText(text);
    if (answer && m_outputText.size() < OutputTextChars)
        m_outputText += QStringView(text).left(OutputTextChars - m_outputText.size());
}

TokenUsage StreamMeter::usage(qint64 promptEstimate) const
{
    if (m_sawUsage)
        return m_reported;
    TokenUsage u;
    u.promptTokens = m_reported.promptTokens > 0 ? m_reported.promptTokens : promptEstimate;
    // Each content event carries at least one token; the text estimate may say more.
    u.completionTokens = countedCompletionTokens();
    u.reported = false;
    return u;
}
