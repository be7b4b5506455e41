#pragma once

#include "charts/KeyedSeries.h"
#include "charts/LineChart.h"
#include "charts/SeriesColours.h"
#include "charts/SeriesRing.h"
#include "charts/StackedAreaChart.h"

struct GatewaySnapshot;

// The Overview page's chart data: an hour of one-second buckets filled from the gateway's
// snapshots, read out as the layers and lines of a chosen range. add() only writes into rings
// (it runs four times a second on the GUI thread); the reading, ranking and aggregating happens
// when the charts redraw.
//
// Several snapshots fall into one second. Deltas (requests by outcome, tokens and cost by model
// and tenant) are summed. A snapshot's percentiles describe the requests that ended since the
// previous one, so a second's percentile is the mean of its snapshots' percentiles weighted by
// how many requests each covered, and a point of a longer range is the same weighted mean over
// its seconds: a close, cheap stand-in for the percentile of all those requests together.
class OverviewSeries
{
public:
    enum class Split { ByModel, ByTenant };
    static constexpr int WindowSeconds = 3600;
    static constexpr int MaxPoints = 300;
    static constexpr int TopKeys = 6; // named layers; the rest stack as "other"

    // The seconds a range covers, ending with the last whole second received.
    struct Window
    {
        qint64 from = 0;
        qint64 to = -1;
        int secondsPerPoint = 1;
        bool isEmpty() const { return to < from; }
    };

    OverviewSeries();

    void add(const GatewaySnapshot &snapshot);
    // Changes with every add(), so a redraw can be skipped when nothing arrived.
    quint64 revision() const { return m_revision; }

    Window window(int rangeSeconds) const;
    QList<StackedAreaChart::Layer> tokenLayers(Split split, const Window &window);
    QList<StackedAreaChart::Layer> costLayers(Split split, const Window &window); // micro-units per minute
    QList<StackedAreaChart::Layer> outcomeLayers(const Window &window) const;
    QList<LineChart::Line> latencyLines(const Window &window) const;
    // Requests per second over the last `seconds` whole seconds, for the headline.
    double requestsPerSecond(int seconds) const;

private:
    enum Total { Ok, Budget, Rate, Blocked, Upstream, Other, Weight, P50, P95, P99, TtftWeight, Ttft50, Ttft95, TotalCount };
    enum Keyed { Tokens, Cost, KeyedCount };

    QList<StackedAreaChart::Layer> keyedLayers(Split split, const Window &window, int value, double scale);
    int points(const Window &window) const;

    SeriesRing m_totals;
    KeyedSeries m_byModel;
    KeyedSeries m_byTenant;
    SeriesColours m_modelColours;
    SeriesColours m_tenantColours;
    quint64 m_revision = 0;
};
