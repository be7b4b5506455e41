#include "GatewayTotals.h"

#include "accounting/UsageRecord.h"
#include "proxy/KeyRedactor.h"

#include <QDateTime>

#include <algorithm>

qint64 &OutcomeCounts::operator[](Kind kind)
{
    switch (kind) {
    case Kind::Ok: return ok;
    case Kind::BudgetRefused: return budgetRefused;
    case Kind::RateLimited: return rateLimited;
    case Kind::Blocked: return blocked;
    case Kind::UpstreamError: return upstreamErrors;
    case Kind::OtherError: break;
    }
    return otherErrors;
}

namespace {
qint64 localMidnight(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).date().startOfDay().toMSecsSinceEpoch();
}

qint64 percentile(QList<qint64> &values, double p)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    return values.at(qMin(values.size() - 1, qsizetype(double(values.size()) * p)));
}

void addTo(QHash<QString, SpendSlice> &byKey, const QString &key, const UsageRecord &row)
{
    SpendSlice &s = byKey[key];
    s.key = key;
    ++s.requests;
    s.tokens += row.promptTokens + row.completionTokens;
    s.costMicros += row.costMicros;
}
} // namespace

OutcomeCounts::Kind GatewayTotals::outcomeOf(const UsageRecord &row)
{
    using K = OutcomeCounts::Kind;
    // The error kind first: a stream cut by its budget was answered 200 but is a budget's doing.
    if (row.error == QLatin1String("budget_exceeded") || row.status == 402)
        return K::BudgetRefused;
    if (row.error == QLatin1String("rate_limited") || (row.status == 429 && !row.error.startsWith(QLatin1String("upstream_"))))
        return K::RateLimited;
    if (row.error == QLatin1String("session_blocked"))
        return K::Blocked;
    if (row.error.startsWith(QLatin1String("upstream_")) || row.status >= 500)
        return K::UpstreamError;
    if (!row.error.isEmpty() || row.status >= 400)
        return K::OtherError;
    return K::Ok;
}

void GatewayTotals::add(const UsageRecord &row)
{
    ++m_totals.requestsTotal;
    if (!row.error.isEmpty())
        ++m_totals.requestsFailed;
    m_totals.promptTokens += row.promptTokens;
    m_totals.completionTokens += row.completionTokens;
    m_totals.costMicros += row.costMicros;
    rollDay(row.endedAt);
    m_totals.spentTodayMicros += row.costMicros;
    m_latencies.append(row.latencyMs);
    if (row.stream && row.ttftMs >= 0)
        m_ttfts.append(row.ttftMs);
    ++m_outcomes[outcomeOf(row)];
    if (row.promptTokens + row.completionTokens > 0 || row.costMicros > 0) {
        addTo(m_byModel, row.model.isEmpty() ? QStringLiteral("(no model)") : row.model, row);
        addTo(m_byTenant, row.tenant.isEmpty() ? QStringLiteral("(no tenant)") : row.tenant, row);
    }
    m_recorded.append(row);
    if (m_recorded.size() > GatewaySnapshot::MaxRecorded) {
        m_recorded.removeFirst();
        ++m_recordedSkipped;
    }
}

void GatewayTotals::seedRecent(const QList<UsageRecord> &oldestFirst)
{
    m_recorded = oldestFirst.mid(qMax<qsizetype>(0, oldestFirst.size() - GatewaySnapshot::MaxRecorded));
}

void GatewayTotals::seedToday(qint64 dayStartMs, qint64 costMicros)
{
    m_totals.dayStartMs = dayStartMs;
    m_totals.spentTodayMicros = costMicros;
}

void GatewayTotals::rollDay(qint64 nowMs)
{
    const qint64 midnight = localMidnight(nowMs);
    if (midnight > m_totals.dayStartMs) {
        m_totals.dayStartMs = midnight;
        m_totals.spentTodayMicros = 0;
    }
}

QList<SpendSlice> GatewayTotals::slices(const QHash<QString, SpendSlice> &byKey)
{
    QList<SpendSlice> all = byKey.values();
    std::sort(all.begin(), all.end(), [](const SpendSlice &a, const SpendSlice &b) {
        return a.tokens != b.tokens ? a.tokens > b.tokens : a.key < b.key;
    });
    if (all.size() <= GatewaySnapshot::MaxSlices)
        return all;
    SpendSlice other{QStringLiteral("other"), 0, 0, 0};
    for (qsizetype i = GatewaySnapshot::MaxSlices - 1; i < all.size(); ++i) {
        other.requests += all.at(i).requests;
        other.tokens += all.at(i).tokens;
        other.costMicros += all.at(i).costMicros;
    }
    all.resize(GatewaySnapshot::MaxSlices - 1);
    all.append(other);
    return all;
}

void GatewayTotals::takeSincePublish(GatewaySnapshot *s, qint64 nowMs)
{
    rollDay(nowMs);
    s->dayStartMs = m_totals.dayStartMs;
    s->spentTodayMicros = m_totals.spentTodayMicros;
    const qint64 tokens = s->promptTokens + s->completionTokens;
    s->requestsDelta = s->requestsTotal - m_atLastPublish.requests;
    s->tokensDelta = tokens - m_atLastPublish.tokens;
    s->costMicrosDelta = s->costMicros - m_atLastPublish.costMicros;
    m_atLastPublish = {s->requestsTotal, tokens, s->costMicros};
    s->latencyP50Ms = percentile(m_latencies, 0.5);
    s->latencyP95Ms = percentile(m_latencies, 0.95);
    s->latencyP99Ms = percentile(m_latencies, 0.99);
    s->ttftP50Ms = percentile(m_ttfts, 0.5);
    s->ttftP95Ms = percentile(m_ttfts, 0.95);
    s->outcomesDelta = m_outcomes;
    s->byModelDelta = slices(m_byModel);
    s->byTenantDelta = slices(m_byTenant);
    // Only the rows the console gets pay for the regex scrub (at most MaxRecorded a snapshot).
    for (UsageRecord &row : m_recorded)
        if (!row.requestHeaders.isEmpty())
            row.requestHeaders = KeyRedactor::scrubLikelyKeys(row.requestHeaders);
    s->recorded = std::move(m_recorded);
    s->recordedSkipped = m_recordedSkipped;
    m_latencies.clear();
    m_ttfts.clear();
    m_outcomes = {};
    m_byModel.clear();
    m_byTenant.clear();
    m_recorded = {};
    m_recordedSkipped = 0;
}
