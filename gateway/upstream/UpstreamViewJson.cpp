#include "UpstreamViewJson.h"

#include <QDateTime>
#include <QJsonArray>

namespace {
QJsonValue iso(qint64 ms)
{
    return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QString());
}

// A percentile that was not measured (-1) is null, not a figure.
QJsonValue millis(qint64 ms)
{
    return ms >= 0 ? QJsonValue(ms) : QJsonValue(QJsonValue::Null);
}
} // namespace

namespace UpstreamViewJson {

QJsonObject toJson(const UpstreamModelBreakerView &b)
{
    return QJsonObject{{"model", b.model}, {"state", b.state}, {"reason", b.reason}, {"retry_at", iso(b.retryAtMs)}};
}

QJsonObject toJson(const UpstreamView &v)
{
    QJsonArray modelBreakers;
    for (const UpstreamModelBreakerView &b : v.modelBreakers)
        modelBreakers.append(toJson(b));
    return QJsonObject{
        {"name", v.name},
        {"preset", v.preset},
        {"dialect", v.dialect},
        {"base_url", v.baseUrl},
        {"enabled", v.enabled},
        {"key_source", v.keySource},
        {"key_hint", v.keyHint},
        {"key_missing", v.keyMissing},
        {"models", QJsonArray::fromStringList(v.models)},
        {"priority", v.priority},
        {"weight", v.weight},
        {"breaker", QJsonObject{{"state", v.breaker}, {"reason", v.breakerReason},
                                {"since", iso(v.breakerSinceMs)}, {"retry_at", iso(v.retryAtMs)}}},
        {"model_breakers", modelBreakers},
        {"in_flight", v.inFlight},
        {"limit", v.limit},
        {"configured_limit", v.configuredLimit},
        {"queued", v.queued},
        {"max_queue", v.maxQueue},
        {"requests", v.requests},
        {"failures", v.failures},
        {"error_rate", v.errorRate},
        {"latency_p50_ms", millis(v.latencyP50Ms)},
        {"latency_p99_ms", millis(v.latencyP99Ms)},
        {"ttft_p50_ms", millis(v.ttftP50Ms)},
        {"last_probe", QJsonObject{{"at", iso(v.lastProbeAtMs)}, {"result", v.lastProbe}}},
    };
}

QJsonObject toJson(const UpstreamTransitionView &t)
{
    return QJsonObject{{"upstream", t.upstream}, {"model", t.model}, {"from", t.from},
                       {"to", t.to}, {"at", iso(t.atMs)}, {"reason", t.reason}};
}

QJsonObject toJson(const UpstreamTestResult &r)
{
    return QJsonObject{{"upstream", r.upstream}, {"ok", r.ok}, {"status", r.status},
                       {"latency_ms", millis(r.latencyMs)}, {"model", r.model}, {"message", r.message}};
}

} // namespace UpstreamViewJson
