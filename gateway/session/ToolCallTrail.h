#pragma once

#include "PromptDigest.h"

#include <QSet>
#include <QString>

#include <deque>
#include <optional>

// One session's recent tool calls, each counted once (by its id) however often the history that
// carries it is re-sent, and stamped with when the gateway first saw it. Says when the same call
// (tool, canonical arguments and result) keeps coming back, or a short cycle of calls
// (A → B → A → B) goes round and round. Bounded: the last 64 calls, the last 128 ids.
class ToolCallTrail
{
public:
    struct Finding
    {
        QString signal;   // "tool_repeat" or "tool_cycle"
        QString evidence;
    };

    // The calls not seen before. On a session's first request only the latest turn's calls are
    // taken: the history before it happened at times nobody knows.
    void add(const QList<ToolCallSeen> &calls, qint64 atMs, bool firstRequest);
    void prune(qint64 beforeMs);
    void clear();
    // The same call at least `count` times since `sinceMs`.
    std::optional<Finding> repeated(qint64 sinceMs, qint64 nowMs, int count) const;
    // The newest calls since `sinceMs` going `repeats` times round one cycle of 2 or 3 calls.
    std::optional<Finding> cycle(qint64 sinceMs, qint64 nowMs, int repeats) const;

private:
    struct Entry
    {
        QString name;
        quint64 signature = 0; // name, arguments and result
        bool hasResult = false;
        qint64 atMs = 0;
    };
    void remember(const QString &key);

    std::deque<Entry> m_entries;
    std::deque<QString> m_keyOrder;
    QSet<QString> m_keys;
};
