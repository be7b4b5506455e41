#pragma once

#include "charts/StateTimeline.h"

#include <QHash>
#include <QList>
#include <QString>

struct SessionView;

// When each session was tripped or killed, learnt from the snapshots' session lists (a session
// says its state and since when), kept for an hour: the lanes of the Overview's state timeline.
// A stop ends when the session shows another state, or when it leaves the snapshot's list.
class StopLog
{
public:
    static constexpr qint64 KeepMs = 3600 * 1000;
    static constexpr int MaxSessions = 500;

    void apply(const QList<SessionView> &sessions, qint64 nowMs);
    // One lane per session with a stop overlapping fromMs..toMs, the latest stop first.
    QList<StateTimeline::Lane> lanes(qint64 fromMs, qint64 toMs) const;
    int size() const { return int(m_sessions.size()); }

private:
    struct Entry
    {
        QList<StateTimeline::Span> spans;
        quint64 seen = 0;   // the apply() that last listed it
        bool open = false;  // its last span is still going
    };
    void prune(qint64 nowMs);

    QHash<QString, Entry> m_sessions;
    quint64 m_generation = 0;
    qint64 m_prunedAtMs = 0;
};
