#include "GatewayMetrics.h"

#include "PrometheusText.h"
#include "accounting/UsageRecord.h"

#include <QDateTime>

namespace {
const QString Prompt = QStringLiteral("prompt");
const QString Completion = QStringLiteral("completion");
const QString Cached = QStringLiteral("cached");
const QString Reasoning = QStringLiteral("reasoning");
} // namespace

GatewayMetrics::GatewayMetrics()
    : m_startMs(QDateTime::currentMSecsSinceEpoch()),
      m_requests("tokenfuse_requests_total", "Requests answered, refusals included, by endpoint, model, upstream, tenant and HTTP status.",
                 {"endpoint", "model", "upstream", "tenant", "code"}, MaxSeries),
      m_tokens("tokenfuse_tokens_total", "Tokens counted, by direction: prompt and completion; cached is the part of prompt read from "
                                         "the provider's cache, reasoning the part of completion spent reasoning.",
               {"direction", "model", "tenant"}, MaxSeries),
      m_cost("tokenfuse_cost_micros_total", "Spend in micro-units (1e-6) of the currency.", {"model", "tenant", "currency"}, MaxSeries),
      m_errors("tokenfuse_request_errors_total", "Requests that ended with an error kind: refusals, stream cuts, upstream failures, "
                                                 "clients that left.",
               {"kind"}, MaxSeries),
      m_refusals("tokenfuse_refusals_total", "Requests TokenFuse refused itself (budget_exceeded, rate_limited, invalid_api_key, ...).",
                 {"kind"}, MaxSeries),
      m_cuts("tokenfuse_stream_cuts_total", "Streams TokenFuse ended early after answering 200 (a budget spent mid-stream, a kill).",
             {"kind"}, MaxSeries),
      m_trips("tokenfuse_session_trips_total", "Sessions blocked by a detector, by the signal that tripped them.", {"signal"}, MaxSeries),
      m_kills("tokenfuse_kills_total", "Kill switches pulled by hand, by scope (session, tenant, all).", {"scope"}, MaxSeries),
      m_duration("tokenfuse_request_duration_seconds", "Time from the request to the last byte of its answer.", {"endpoint"},
                 DurationBuckets, MaxSeries),
      m_ttft("tokenfuse_time_to_first_token_seconds", "Time to the first content chunk of a stream (or to the response).", {"endpoint"},
             TtftBuckets, MaxSeries)
{
    // The endpoints TokenFuse meters always keep their own label, refused or not.
    for (const char *e : {"/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/embeddings", "/v1/completions", "/v1/models"})
        m_endpointBound.bounded(QString::fromLatin1(e));
}

bool GatewayMetrics::isGatewayKind(const QString &kind)
{
    return !kind.isEmpty() && !kind.startsWith(QLatin1String("upstream_")) && kind != QLatin1String("client_closed")
        && kind != QLatin1String("cancelled");
}

void GatewayMetrics::observe(const UsageRecord &row)
{
    // A value enters a label's set only from a request that was routed to an upstream, so made-up
    // models, tenants and paths of refused requests read "other" instead of taking the room.
    const bool routed = !row.upstream.isEmpty();
    const QString endpoint = m_endpointBound.bounded(row.endpoint, routed);
    const QString model = m_modelBound.bounded(row.model, routed);
    const QString tenant = m_tenantBound.bounded(row.tenant, routed);
    const QString upstream = m_upstreamBound.bounded(row.upstream);
    const QString code = m_codeBound.bounded(QString::number(row.status));

    m_requests.add({endpoint, model, upstream, tenant, code});
    if (row.promptTokens)
        m_tokens.add({Prompt, model, tenant}, row.promptTokens);
    if (row.completionTokens)
        m_tokens.add({Completion, model, tenant}, row.completionTokens);
    if (row.cachedTokens)
        m_tokens.add({Cached, model, tenant}, row.cachedTokens);
    if (row.reasoningTokens)
        m_tokens.add({Reasoning, model, tenant}, row.reasoningTokens);
    if (row.costMicros)
        m_cost.add({model, tenant, row.currency.left(LabelBound::MaxValueLength)}, row.costMicros);
    if (!row.error.isEmpty()) {
        const QString kind = m_kindBound.bounded(row.error);
        m_errors.add({kind});
        if (isGatewayKind(row.error)) {
            if (row.status >= 400)
                m_refusals.add({kind});
            else if (row.stream)
                m_cuts.add({kind});
        }
    }
    m_duration.observe({endpoint}, double(row.latencyMs) / 1000.0);
    if (row.ttftMs >= 0)
        m_ttft.observe({endpoint}, double(row.ttftMs) / 1000.0);
}

void GatewayMetrics::noteTrip(const QString &signal)
{
    m_trips.add({m_signalBound.bounded(signal)});
}

void GatewayMetrics::noteKill(const QString &scope)
{
    m_kills.add({m_scopeBound.bounded(scope)});
}

QByteArray GatewayMetrics::render(const MetricsGauges &gauges) const
{
    PrometheusText out(m_lastSize + m_lastSize / 8 + 1024);
    m_requests.render(out);
    m_tokens.render(out);
    m_cost.render(out);
    m_errors.render(out);
    m_refusals.render(out);
    m_cuts.render(out);
    m_trips.render(out);
    m_kills.render(out);
    m_duration.render(out);
    m_ttft.render(out);
    out.family("tokenfuse_metrics_label_folds_total", "counter",
               "Label values folded into \"other\" because the label had reached its bound (docs/metrics.md).");
    const std::pair<const char *, const LabelBound *> bounds[] = {
        {"tenant", &m_tenantBound}, {"model", &m_modelBound}, {"upstream", &m_upstreamBound}, {"endpoint", &m_endpointBound},
        {"code", &m_codeBound}, {"kind", &m_kindBound}, {"signal", &m_signalBound}, {"scope", &m_scopeBound}};
    for (const auto &[label, bound] : bounds)
        out.sample("tokenfuse_metrics_label_folds_total", PrometheusText::labels({{"label", QString::fromLatin1(label)}}),
                   bound->folded());
    renderGauges(out, gauges);
    m_lastSize = out.size();
    return out.take();
}

void GatewayMetrics::renderGauges(PrometheusText &out, const MetricsGauges &g) const
{
    out.family("tokenfuse_in_flight_requests", "gauge", "Requests being answered right now.");
    out.sample("tokenfuse_in_flight_requests", {}, qint64(g.inFlight));
    out.family("tokenfuse_open_connections", "gauge", "Client connections open to the gateway.");
    out.sample("tokenfuse_open_connections", {}, qint64(g.openConnections));
    out.family("tokenfuse_store_up", "gauge", "1 while the usage store can write; 0 while it cannot (requests are refused, 503).");
    out.sample("tokenfuse_store_up", {}, qint64(g.storeWritable ? 1 : 0));
    out.family("tokenfuse_stop_all", "gauge", "1 while stop-all is on: every new request is refused until resume-all.");
    out.sample("tokenfuse_stop_all", {}, qint64(g.stoppedAll ? 1 : 0));

    out.family("tokenfuse_sessions", "gauge", "Sessions the gateway knows, by state.");
    static const QStringList states{QStringLiteral("active"), QStringLiteral("throttled"), QStringLiteral("tripped"), QStringLiteral("killed")};
    for (const QString &state : states)
        out.sample("tokenfuse_sessions", PrometheusText::labels({{"state", state}}), qint64(g.sessionsByState.value(state)));

    out.family("tokenfuse_budget_remaining_tokens", "gauge", "Tokens left in a budget counter's current window (cap - spent - reserved).");
    for (const BudgetGauge &b : g.budgets) {
        if (b.remainingTokens)
            out.sample("tokenfuse_budget_remaining_tokens", PrometheusText::labels({{"rule", b.rule}, {"subject", b.subject}}), *b.remainingTokens);
    }
    out.family("tokenfuse_budget_remaining_cost_micros", "gauge", "Money left in a budget counter's current window, micro-units of the currency.");
    for (const BudgetGauge &b : g.budgets) {
        if (b.remainingCostMicros)
            out.sample("tokenfuse_budget_remaining_cost_micros",
                       PrometheusText::labels({{"rule", b.rule}, {"subject", b.subject}, {"currency", b.currency}}), *b.remainingCostMicros);
    }
    out.family("tokenfuse_budget_remaining_requests", "gauge", "Requests left in a budget counter's current window.");
    for (const BudgetGauge &b : g.budgets) {
        if (b.remainingRequests)
            out.sample("tokenfuse_budget_remaining_requests", PrometheusText::labels({{"rule", b.rule}, {"subject", b.subject}}), *b.remainingRequests);
    }
    out.family("tokenfuse_budget_used_ratio", "gauge", "Spent plus in flight over the cap, of the fullest capped dimension (1: at the cap).");
    for (const BudgetGauge &b : g.budgets)
        out.sample("tokenfuse_budget_used_ratio", PrometheusText::labels({{"rule", b.rule}, {"subject", b.subject}}), b.usedRatio);

    out.family("tokenfuse_upstream_info", "gauge", "One per configured upstream, always 1: its name and dialect.");
    for (const UpstreamGauge &u : g.upstreams)
        out.sample("tokenfuse_upstream_info", PrometheusText::labels({{"upstream", u.name}, {"dialect", u.dialect}}), qint64(1));
    out.family("tokenfuse_upstream_breaker_state", "gauge",
               "1 for the state each upstream's circuit breaker is in (closed, open, half_open), 0 for the others.");
    for (const UpstreamGauge &u : g.upstreams)
        for (const char *state : {"closed", "open", "half_open"})
            out.sample("tokenfuse_upstream_breaker_state", PrometheusText::labels({{"upstream", u.name}, {"state", QLatin1String(state)}}),
                       qint64(u.breaker == QLatin1String(state)));
    out.family("tokenfuse_upstream_in_flight", "gauge", "Requests on their way to each upstream right now.");
    for (const UpstreamGauge &u : g.upstreams)
        out.sample("tokenfuse_upstream_in_flight", PrometheusText::labels({{"upstream", u.name}}), qint64(u.inFlight));
    out.family("tokenfuse_upstream_queued", "gauge", "Requests waiting for one of each upstream's concurrency slots.");
    for (const UpstreamGauge &u : g.upstreams)
        out.sample("tokenfuse_upstream_queued", PrometheusText::labels({{"upstream", u.name}}), qint64(u.queued));
    out.family("tokenfuse_upstream_concurrency_limit", "gauge",
               "Each upstream's concurrency limit in force (lowered while it answers 429); 0: none.");
    for (const UpstreamGauge &u : g.upstreams)
        out.sample("tokenfuse_upstream_concurrency_limit", PrometheusText::labels({{"upstream", u.name}}), qint64(u.limit));

    out.family("tokenfuse_build_info", "gauge", "Always 1: the TokenFuse version.");
    out.sample("tokenfuse_build_info", PrometheusText::labels({{"version", QStringLiteral(TOKENFUSE_VERSION)}}), qint64(1));
    out.family("tokenfuse_start_time_seconds", "gauge", "When the gateway started, seconds since the Unix epoch.");
    out.sample("tokenfuse_start_time_seconds", {}, double(m_startMs) / 1000.0);
}
