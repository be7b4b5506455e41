#pragma once

#include "charts/StateTimeline.h"

#include <QHash>
#include <QList>
#include <QString>

struct UpstreamTransitionView;
struct UpstreamView;

// When each upstream's breaker (and each model breaker of one) was open, learnt from the
// snapshots' breaker transitions (those since the previous snapshot) and checked against the
// upstreams' current states, kept for an hour: the upstream lanes of the Overview's state
// timeline. A span starts when a breaker leaves closed and ends when it closes again; half-open
// (a probe under way) still counts as down, so one outage is one bar.
class BreakerLog
{
public:
    static constexpr qint64 KeepMs = 3600 * 1000;
    static constexpr int MaxLanes = 200;

    void apply(const QList<UpstreamTransitionView> &transitions, const QList<UpstreamView> &upstreams, qint64 nowMs);
    // One lane per breaker open within fromMs..toMs, the latest opening first. Labels are the
    // upstream's name, "name · model" for a model's own breaker.
    QList<StateTimeline::Lane> lanes(qint64 fromMs, qint64 toMs) const;
    int size() const { return int(m_lanes.size()); }

private:
    void open(const QString &lane, qint64 atMs);
    void close(const QString &lane, qint64 atMs);
    void prune(qint64 nowMs);
    void pruneIfDue(qint64 nowMs);

    struct Entry
    {
        QList<StateTimeline::Span> spans;
        bool open = false;
    };
    QHash<QString, Entry> m_lanes;
    qint64 m_prunedAtMs = 0;
};
