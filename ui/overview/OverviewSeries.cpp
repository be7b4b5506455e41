#include "OverviewSeries.h"

#include "ConsolePalette.h"
#include "core/GatewaySnapshot.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

OverviewSeries::OverviewSeries()
    : m_totals(TotalCount, WindowSeconds)
    , m_byModel(KeyedCount, 24, WindowSeconds)
    , m_byTenant(KeyedCount, 24, WindowSeconds)
{
}

void OverviewSeries::add(const GatewaySnapshot &snapshot)
{
    // A gateway that does not stamp its snapshots still gets moving charts.
    const qint64 takenAt = snapshot.takenAtMs > 0 ? snapshot.takenAtMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 second = takenAt / 1000;
    const OutcomeCounts &o = snapshot.outcomesDelta;
    const qint64 counts[] = {o.ok, o.budgetRefused, o.rateLimited, o.blocked, o.upstreamErrors, o.otherErrors};
    for (int k = Ok; k <= Other; ++k) {
        if (counts[k] != 0)
            m_totals.add(second, k, double(counts[k]));
    }
    // Percentiles weighted by the requests they cover; a snapshot with figures but no counted
    // outcome (it should not happen) still weighs one.
    const double weight = double(std::max<qint64>(1, o.total()));
    if (snapshot.latencyP50Ms >= 0) {
        m_totals.add(second, Weight, weight);
        m_totals.add(second, P50, weight * double(snapshot.latencyP50Ms));
        m_totals.add(second, P95, weight * double(std::max(snapshot.latencyP95Ms, snapshot.latencyP50Ms)));
        m_totals.add(second, P99, weight * double(std::max(snapshot.latencyP99Ms, snapshot.latencyP95Ms)));
    }
    if (snapshot.ttftP50Ms >= 0) {
        m_totals.add(second, TtftWeight, weight);
        m_totals.add(second, Ttft50, weight * double(snapshot.ttftP50Ms));
        m_totals.add(second, Ttft95, weight * double(std::max(snapshot.ttftP95Ms, snapshot.ttftP50Ms)));
    }
    // Touch the second even when idle, so the window moves on with the gateway's clock.
    m_totals.add(second, Ok, 0.0);
    for (const SpendSlice &slice : snapshot.byModelDelta) {
        m_byModel.add(second, slice.key, Tokens, double(slice.tokens));
        m_byModel.add(second, slice.key, Cost, double(slice.costMicros));
    }
    for (const SpendSlice &slice : snapshot.byTenantDelta) {
        m_byTenant.add(second, slice.key, Tokens, double(slice.tokens));
        m_byTenant.add(second, slice.key, Cost, double(slice.costMicros));
    }
    ++m_revision;
}

OverviewSeries::Window OverviewSeries::window(int rangeSeconds) const
{
    Window w;
    if (m_totals.latestSecond() <= 0)
        return w;
    // The newest second is still filling (a quarter of its snapshots may be in): it would show
    // as a dip at the right edge, so the range ends with the second before it.
    w.to = m_totals.latestSecond() - 1;
    w.from = w.to - std::clamp(rangeSeconds, 1, WindowSeconds) + 1;
    w.secondsPerPoint = SeriesRing::secondsPerPoint(w.from, w.to, MaxPoints);
    return w;
}

int OverviewSeries::points(const Window &window) const
{
    return window.isEmpty() ? 0 : MaxPoints;
}

QList<StackedAreaChart::Layer> OverviewSeries::keyedLayers(Split split, const Window &window, int value, double scale)
{
    QList<StackedAreaChart::Layer> layers;
    if (window.isEmpty())
        return layers;
    const KeyedSeries &series = split == Split::ByModel ? m_byModel : m_byTenant;
    SeriesColours &colours = split == Split::ByModel ? m_modelColours : m_tenantColours;
    bool rest = false;
    // Ranked by spend in the range (then tokens, for the simulator's free models), the same
    // keys in both charts.
    const QStringList keys = series.top(window.from, window.to, Cost, Tokens, TopKeys, &rest);
    const auto scaled = [scale](QList<double> values) {
        for (double &v : values)
            v *= scale;
        return values;
    };
    for (const QString &key : keys)
        layers.append({key, colours.colour(key), scaled(series.aggregate(window.from, window.to, points(window), key, value))});
    if (rest) {
        const QList<double> values = series.aggregateRest(window.from, window.to, points(window), keys, value);
        if (!values.isEmpty())
            layers.append({QCoreApplication::translate("OverviewSeries", "other"), SeriesColours::otherColour(), scaled(values)});
    }
    return layers;
}

QList<StackedAreaChart::Layer> OverviewSeries::tokenLayers(Split split, const Window &window)
{
    return keyedLayers(split, window, Tokens, 1.0);
}

QList<StackedAreaChart::Layer> OverviewSeries::costLayers(Split split, const Window &window)
{
    return keyedLayers(split, window, Cost, 60.0);
}

QList<StackedAreaChart::Layer> OverviewSeries::outcomeLayers(const Window &window) const
{
    QList<StackedAreaChart::Layer> layers;
    if (window.isEmpty())
        return layers;
    const auto tr = [](const char *text) { return QCoreApplication::translate("OverviewSeries", text); };
    const struct
    {
        Total channel;
        QString name;
        QColor colour;
    } kinds[] = {
        {Ok, tr("ok"), ConsolePalette::success()},
        {Budget, tr("402 budget"), ConsolePalette::pending()},
        {Rate, tr("429 rate limited"), QColor(0xea, 0xb3, 0x08)},
        {Blocked, tr("403 blocked"), ConsolePalette::stopped()},
        {Upstream, tr("5xx upstream"), ConsolePalette::failure()},
        {Other, tr("other errors"), QColor(0x64, 0x74, 0x8b)},
    };
    for (const auto &kind : kinds)
        layers.append({kind.name, kind.colour, m_totals.aggregate(window.from, window.to, points(window), kind.channel)});
    return layers;
}

QList<LineChart::Line> OverviewSeries::latencyLines(const Window &window) const
{
    QList<LineChart::Line> lines;
    if (window.isEmpty())
        return lines;
    const auto tr = [](const char *text) { return QCoreApplication::translate("OverviewSeries", text); };
    const auto line = [&](const QString &name, const QColor &colour, bool dashed, Total value, Total weight) {
        lines.append({name, colour, dashed, m_totals.aggregateRatio(window.from, window.to, points(window), value, weight)});
    };
    line(tr("p50"), ConsolePalette::tokensSeries(), false, P50, Weight);
    line(tr("p95"), ConsolePalette::requestsSeries(), false, P95, Weight);
    line(tr("p99"), ConsolePalette::failure(), false, P99, Weight);
    line(tr("first token p50"), QColor(0x0d, 0x94, 0x88), true, Ttft50, TtftWeight);
    line(tr("first token p95"), QColor(0x65, 0xa3, 0x0d), true, Ttft95, TtftWeight);
    return lines;
}

double OverviewSeries::requestsPerSecond(int seconds) const
{
    const Window w = window(seconds);
    if (w.isEmpty())
        return 0.0;
    double sum = 0.0;
    for (int k = Ok; k <= Other; ++k)
        sum += m_totals.total(w.from, w.to, k);
    return sum / double(w.to - w.from + 1);
}
