#pragma once

#include "SessionBlock.h"
#include "SessionView.h"

#include <QHash>
#include <QList>
#include <QString>

#include <array>
#include <functional>
#include <optional>

struct UsageRecord;
class SessionBreakers;

// What TokenFuse knows of each agent session: who it is, what it has spent (seeded from the store
// at start, so totals survive a restart), its spend over the last minute, its latest prompt, when
// it was last throttled. Gateway thread only. Memory is bounded: past `capacity` sessions, the
// ones idle the longest (and not blocked) are forgotten; the store still has their rows.
class SessionBook
{
public:
    explicit SessionBook(int capacity = 5000) : m_capacity(capacity) {}

    void seed(const QList<SessionTotalsRecord> &totals);
    // A request of the session is about to go through (after admission by the breakers).
    void noteRequest(const QString &session, const QString &tenant, const QString &process, const QString &model,
                     const QString &promptPreview, qint64 nowMs);
    // The calling process of a session, once it is known (looked up off the request's path).
    void noteProcess(const QString &session, const QString &process);
    // A request's row was written (every request, refused ones included).
    void noteRecorded(const UsageRecord &row);

    // In flight per session comes from the registry, state from the breakers: both are passed in.
    using InFlight = std::function<int(const QString &session)>;
    // The sessions that matter at `nowMs`, most recent first: every one in flight, blocked, or
    // seen within `recentMs`, then the latest others, `limit` in all.
    QList<SessionView> views(const SessionBreakers &breakers, const InFlight &inFlight, qint64 nowMs, int limit,
                             qint64 recentMs = 5 * 60 * 1000) const;
    std::optional<SessionView> view(const QString &session, const SessionBreakers &breakers, const InFlight &inFlight, qint64 nowMs) const;
    bool contains(const QString &session) const { return m_sessions.contains(session); }
    qint64 costOf(const QString &session) const;
    qint64 costOfTenant(const QString &tenant) const;
    QStringList sessionsOfTenant(const QString &tenant) const;
    int size() const { return int(m_sessions.size()); }
    // How many known sessions are in each state at `nowMs`, by SessionView::stateName, every state
    // present (0 when none): for tokenfuse_sessions{state}. O(sessions).
    QHash<QString, int> countByState(const SessionBreakers &breakers, qint64 nowMs) const;

    // A throttled session stays so for this long after its last 429.
    static constexpr qint64 ThrottledForMs = 60 * 1000;
    static constexpr int PreviewChars = 200;
    // views() never returns more than this many, however many sessions matter.
    static constexpr int HardLimit = 1000;

private:
    // One second of a session's last minute: a ring of 60, indexed by second.
    struct Second
    {
        qint64 second = -1;
        qint64 requests = 0;
        qint64 tokens = 0;
        qint64 costMicros = 0;
    };
    struct Entry
    {
        QString tenant;
        QString process;
        QStringList models;
        qint64 requests = 0;
        qint64 promptTokens = 0;
        qint64 completionTokens = 0;
        qint64 costMicros = 0;
        qint64 firstSeenMs = 0;
        qint64 lastSeenMs = 0;
        qint64 lastThrottledMs = 0;
        QString lastPrompt;
        std::array<Second, 60> minute;
    };
    Entry &entry(const QString &session, qint64 nowMs);
    SessionView toView(const QString &id, const Entry &e, const SessionBreakers &breakers, const InFlight &inFlight, qint64 nowMs) const;
    // The one rule for a session's state: blocked (killed or tripped) over throttled over active.
    static SessionView::State stateOf(const Entry &e, const std::optional<SessionBlock> &block, qint64 nowMs);
    void trim();

    int m_capacity;
    QHash<QString, Entry> m_sessions;
};
