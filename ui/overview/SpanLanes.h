#pragma once

#include "charts/StateTimeline.h"

#include <QList>
#include <QString>

#include <algorithm>

// What StopLog (sessions) and BreakerLog (upstreams) share: a map from a lane's label to an entry
// holding its `spans`, pruned of what ended long ago and cut to a time range for the timeline.
namespace SpanLanes {
// Spans that ended before nowMs - keepMs are dropped, and lanes left with none.
template <typename Map>
void prune(Map &lanes, qint64 nowMs, qint64 keepMs)
{
    for (auto it = lanes.begin(); it != lanes.end();) {
        auto &spans = it->spans;
        spans.erase(std::remove_if(spans.begin(), spans.end(),
                                   [&](const StateTimeline::Span &s) { return s.toMs >= 0 && s.toMs < nowMs - keepMs; }),
                    spans.end());
        it = spans.isEmpty() ? lanes.erase(it) : std::next(it);
    }
}

// The lanes with a span in [fromMs, toMs], holding only those spans: the latest to begin first,
// then by label.
template <typename Map>
QList<StateTimeline::Lane> inRange(const Map &lanes, const QString &kind, qint64 fromMs, qint64 toMs)
{
    struct Ranked
    {
        qint64 latest;
        StateTimeline::Lane lane;
    };
    QList<Ranked> ranked;
    for (auto it = lanes.constBegin(); it != lanes.constEnd(); ++it) {
        StateTimeline::Lane lane{it.key(), kind, {}};
        qint64 latest = 0;
        for (const StateTimeline::Span &s : it->spans) {
            if (s.fromMs <= toMs && (s.toMs < 0 || s.toMs >= fromMs)) {
                lane.spans.append(s);
                latest = std::max(latest, s.fromMs);
            }
        }
        if (!lane.spans.isEmpty())
            ranked.append({latest, lane});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked &a, const Ranked &b) {
        return a.latest != b.latest ? a.latest > b.latest : a.lane.label < b.lane.label;
    });
    QList<StateTimeline::Lane> out;
    for (const Ranked &r : ranked)
        out.append(r.lane);
    return out;
}
} // namespace SpanLanes
