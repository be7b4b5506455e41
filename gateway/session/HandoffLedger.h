#pragma once

#include "Shingles.h"

#include <QString>

#include <deque>
#include <optional>

// The ping-pong signal's memory: the latest answer of the sessions that answered last, and the
// hand-offs seen, where one session's prompt carried another's latest answer. A pair of sessions
// that has handed each other enough, both ways, within a window is looping. Bounded: 32 answers,
// 256 directions of hand-off.
class HandoffLedger
{
public:
    struct Finding
    {
        QString partner;
        QString evidence;
    };

    // The text `session` got back (the start of it).
    void output(const QString &session, const QString &text, qint64 atMs);
    // `session`'s latest input, as it is about to be sent: a hand-off when it carries at least
    // `containment` of another session's latest output from the last `windowMs`; a finding when
    // both directions of that pair have `handoffs` or more within the window.
    std::optional<Finding> input(const QString &session, const QString &latestInput, qint64 atMs, qint64 windowMs,
                                 int handoffs, double containment);
    void forget(const QString &session);

private:
    struct Output
    {
        QString session;
        quint64 id = 0;
        qint64 atMs = 0;
        Shingles::Set shingles;
    };
    struct Direction
    {
        QString from;
        QString to;
        quint64 lastOutput = 0; // each output is one hand-off, however often it is re-sent
        std::deque<qint64> times;
    };
    Direction *direction(const QString &from, const QString &to, bool make);
    static int countSince(const Direction *d, qint64 since, qint64 *first);

    std::deque<Output> m_outputs;
    std::deque<Direction> m_directions;
    quint64 m_nextId = 1;
};
