#include "UpstreamRouter.h"

#include "dialect/ApiDialect.h"

#include <algorithm>

void UpstreamRouter::setUpstreams(const QList<UpstreamConfig> &upstreams)
{
    QHash<QString, std::shared_ptr<Runtime>> kept;
    for (const UpstreamConfig &u : upstreams) {
        std::shared_ptr<Runtime> r = m_runtimes.value(u.name);
        if (!r) {
            r = std::make_shared<Runtime>();
            r->breaker = UpstreamBreaker(u.breaker);
        }
        r->config = u;
        r->breaker.setPolicy(u.breaker);
        r->breaker.setActiveChecks(u.healthCheck.enabled);
        for (UpstreamBreaker &b : r->models)
            b.setPolicy(u.breaker);
        kept.insert(u.name, r);
    }
    m_runtimes = std::move(kept);
    m_order = upstreams;
}

UpstreamRouter::Runtime *UpstreamRouter::find(const QString &name)
{
    const auto it = m_runtimes.find(name);
    return it == m_runtimes.end() ? nullptr : it->get();
}

UpstreamBreaker *UpstreamRouter::modelBreaker(Runtime &r, const QString &model, bool create)
{
    if (!r.config.breakerPerModel || model.isEmpty())
        return nullptr;
    auto it = r.models.find(model);
    if (it == r.models.end()) {
        if (!create)
            return nullptr;
        while (r.models.size() >= MaxModelBreakers && !r.modelUse.isEmpty())
            r.models.remove(r.modelUse.takeFirst());
        it = r.models.insert(model, UpstreamBreaker(r.config.breaker));
    }
    r.modelUse.removeOne(model);
    r.modelUse.append(model);
    return &it.value();
}

bool UpstreamRouter::serves(const QString &model, ApiDialect api) const
{
    return std::any_of(m_order.cbegin(), m_order.cend(),
                       [&](const UpstreamConfig &u) { return u.enabled && u.dialect == api && u.servesModel(model); });
}

UpstreamRouter::Pick UpstreamRouter::pick(const QString &model, ApiDialect api, qint64 nowMs, double random01, const QStringList &avoid)
{
    Pick out;
    QList<Runtime *> serving;
    QList<Runtime *> avoided;
    for (const UpstreamConfig &u : std::as_const(m_order)) {
        if (u.enabled && u.dialect == api && u.servesModel(model))
            if (Runtime *r = find(u.name))
                (avoid.contains(u.name) ? avoided : serving).append(r);
    }
    serving += avoided;
    out.candidates = int(serving.size());
    QStringList refused;
    // m_order is sorted by priority: take one priority at a time.
    for (qsizetype start = 0; start < serving.size();) {
        qsizetype end = start;
        while (end < serving.size() && serving[end]->config.priority == serving[start]->config.priority
               && avoid.contains(serving[end]->config.name) == avoid.contains(serving[start]->config.name))
            ++end;
        QList<Runtime *> group = serving.mid(start, end - start);
        start = end;
        while (!group.isEmpty()) {
            qint64 total = 0;
            for (Runtime *r : std::as_const(group))
                total += std::max(0, r->config.weight);
            qsizetype chosen = 0;
            if (total > 0) {
                qint64 point = qint64(random01 * double(total));
                for (qsizetype i = 0; i < group.size(); ++i) {
                    point -= std::max(0, group[i]->config.weight);
                    if (point < 0) {
                        chosen = i;
                        break;
                    }
                }
            }
            Runtime *r = group.takeAt(chosen);
            UpstreamBreaker *perModel = modelBreaker(*r, model, false);
            const bool upstreamOk = r->breaker.wouldAllow(nowMs);
            const bool modelOk = !perModel || perModel->wouldAllow(nowMs);
            if (upstreamOk && modelOk) {
                r->breaker.allow(nowMs);
                if (perModel)
                    perModel->allow(nowMs);
                collect(*r, QString(), r->breaker);
                if (perModel)
                    collect(*r, model, *perModel);
                out.upstream = r->config;
                return out;
            }
            const UpstreamBreaker &b = upstreamOk ? *perModel : r->breaker;
            const qint64 at = b.retryAtMs();
            if (at > 0 && (out.retryAtMs == 0 || at < out.retryAtMs))
                out.retryAtMs = at;
            refused << QStringLiteral("%1%2: breaker %3 (%4)")
                           .arg(r->config.name, upstreamOk ? QStringLiteral(" for ") + model : QString(),
                                UpstreamBreaker::stateName(b.state()).replace(QLatin1Char('_'), QLatin1Char('-')), b.reason());
        }
    }
    out.why = refused.join(QLatin1String("; "));
    return out;
}

void UpstreamRouter::record(const QString &upstream, const QString &model, qint64 nowMs, qint64 latencyMs, qint64 ttftMs,
                            const QString &failure)
{
    Runtime *r = find(upstream);
    if (!r)
        return;
    r->breaker.record(nowMs, latencyMs, failure);
    collect(*r, QString(), r->breaker);
    if (UpstreamBreaker *perModel = modelBreaker(*r, model, true)) {
        perModel->record(nowMs, latencyMs, failure);
        collect(*r, model, *perModel);
    }
    r->stats.add(nowMs, latencyMs, ttftMs, !failure.isEmpty());
}

void UpstreamRouter::collect(Runtime &r, const QString &model, UpstreamBreaker &breaker)
{
    for (const UpstreamBreaker::Transition &t : breaker.takeTransitions()) {
        if (model.isEmpty())
            r.breakerSinceMs = t.atMs;
        m_transitions.append({r.config.name, model, UpstreamBreaker::stateName(t.from), UpstreamBreaker::stateName(t.to), t.atMs, t.reason});
    }
    constexpr qsizetype MaxKept = 256;
    if (m_transitions.size() > MaxKept)
        m_transitions.remove(0, m_transitions.size() - MaxKept);
}

void UpstreamRouter::started(const QString &upstream)
{
    if (Runtime *r = find(upstream))
        ++r->inFlight;
}

void UpstreamRouter::ended(const QString &upstream)
{
    if (Runtime *r = find(upstream))
        r->inFlight = std::max(0, r->inFlight - 1);
}

QList<UpstreamConfig> UpstreamRouter::dueChecks(qint64 nowMs)
{
    QList<UpstreamConfig> out;
    for (const UpstreamConfig &u : std::as_const(m_order)) {
        Runtime *r = find(u.name);
        if (r && u.enabled && r->breaker.checkDue(nowMs)) {
            r->breaker.checkStarted();
            out.append(u);
        }
    }
    return out;
}

void UpstreamRouter::checkEnded(const QString &upstream, qint64 nowMs, UpstreamBreaker::Check result, const QString &what)
{
    Runtime *r = find(upstream);
    if (!r)
        return;
    r->lastCheckAtMs = nowMs;
    r->lastCheck = what;
    r->breaker.checkEnded(nowMs, result, what);
    collect(*r, QString(), r->breaker);
}

QList<UpstreamView> UpstreamRouter::views(qint64 nowMs)
{
    QList<UpstreamView> out;
    for (const UpstreamConfig &u : std::as_const(m_order)) {
        Runtime *r = find(u.name);
        if (!r)
            continue;
        UpstreamView v;
        v.name = u.name;
        v.preset = u.preset;
        v.dialect = dialectName(u.dialect);
        v.baseUrl = u.baseUrl.toString();
        v.enabled = u.enabled;
        v.keySource = u.keySourceText();
        v.keyHint = u.keyHint();
        v.keyMissing = u.keyMissing;
        v.models = u.models;
        v.priority = u.priority;
        v.weight = u.weight;
        v.breaker = UpstreamBreaker::stateName(r->breaker.state());
        v.breakerReason = r->breaker.reason();
        v.breakerSinceMs = r->breakerSinceMs;
        v.retryAtMs = r->breaker.retryAtMs();
        for (auto it = r->models.cbegin(); it != r->models.cend(); ++it)
            if (it->state() != UpstreamBreaker::State::Closed)
                v.modelBreakers.append({it.key(), UpstreamBreaker::stateName(it->state()), it->reason(), it->retryAtMs()});
        v.inFlight = r->inFlight;
        v.limit = u.maxConcurrency;
        v.configuredLimit = u.maxConcurrency;
        v.maxQueue = u.maxQueue;
        const UpstreamStats::Figures f = r->stats.figures(nowMs);
        v.requests = f.requests;
        v.failures = f.failures;
        v.errorRate = f.requests > 0 ? double(f.failures) / double(f.requests) : 0.0;
        v.latencyP50Ms = f.latencyP50Ms;
        v.latencyP99Ms = f.latencyP99Ms;
        v.ttftP50Ms = f.ttftP50Ms;
        v.lastProbeAtMs = r->lastCheckAtMs;
        v.lastProbe = r->lastCheck;
        out.append(v);
    }
    return out;
}

QList<UpstreamTransitionView> UpstreamRouter::takeTransitions()
{
    return std::exchange(m_transitions, {});
}

QHash<QString, QString> UpstreamRouter::breakerStates() const
{
    QHash<QString, QString> out;
    for (auto it = m_runtimes.cbegin(); it != m_runtimes.cend(); ++it)
        out.insert(it.key(), UpstreamBreaker::stateName((*it)->breaker.state()));
    return out;
}
