#include "GatewayTotals.h"

#include "accounting/UsageRecord.h"

#include <algorithm>

void GatewayTotals::add(const UsageRecord &row)
{
    ++m_totals.requestsTotal;
    if (!row.error.isEmpty())
        ++m_totals.requestsFailed;
    m_totals.promptTokens += row.promptTokens;
    m_totals.completionTokens += row.completionTokens;
    m_totals.costMicros += row.costMicros;
    m_latencies.append(row.latencyMs);
}

void GatewayTotals::takeSincePublish(GatewaySnapshot *s)
{
    const qint64 tokens = s->promptTokens + s->completionTokens;
    s->requestsDelta = s->requestsTotal - m_atLastPublish.requests;
    s->tokensDelta = tokens - m_atLastPublish.tokens;
    s->costMicrosDelta = s->costMicros - m_atLastPublish.costMicros;
    m_atLastPublish = {s->requestsTotal, tokens, s->costMicros};
    if (!m_latencies.isEmpty()) {
        std::sort(m_latencies.begin(), m_latencies.end());
        s->latencyP50Ms = m_latencies.at(m_latencies.size() / 2);
        s->latencyP99Ms = m_latencies.at(qMin(m_latencies.size() - 1, qsizetype(double(m_latencies.size()) * 0.99)));
        m_latencies.clear();
    }
}
