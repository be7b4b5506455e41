#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <functional>

// The concurrency limit of each upstream and its bounded wait queue. A request holds a slot of
// the upstream it was admitted to from admission until its answer ends (leave()); once
// maxConcurrency are held, newcomers wait in the queue, which serves higher tiers first (then
// first come, first served). When the queue is full a newcomer of a higher tier takes the place
// of the latest of the lowest tier, which is refused; otherwise the newcomer is. A wait longer
// than queueTimeoutMs is refused too. Adaptive: each 429 from the upstream (at most one a
// second counts) cuts its limit by 30 %; then every `limit` successes in a row raise it by one,
// back up to the configured limit (an upstream with none returns to none after a minute without
// 429). Pure logic on the caller's clock, gateway thread only; admit and refuse callbacks run
// synchronously from the calls that decide them. A request that fails over to another upstream
// gives its slot back and takes one there (takeOver).
class UpstreamGate
{
public:
    struct Settings
    {
        int maxConcurrency = 0; // 0: no ceiling of its own (until 429s make one)
        int maxQueue = 256;
        qint64 queueTimeoutMs = 30'000;
    };
    using Admit = std::function<void()>;
    using Refuse = std::function<void(const QString &why)>;
    enum class Entry { Admitted, Queued, Refused };

    // The upstreams now configured; waiters of one that is gone are admitted (nothing limits it).
    void configure(const QHash<QString, Settings> &upstreams);

    // A request for `upstream` of `tier` (higher first). Admitted: it holds a slot, `admit` is not
    // called. Queued: `admit` or `refuse` is called later, once. Refused: *why says why, neither is called.
    Entry enter(const QString &upstream, int tier, qint64 nowMs, Admit admit, Refuse refuse, quint64 *ticket, QString *why);
    // A slot freed: the best waiter (if any) admitted.
    void leave(const QString &upstream);
    // A request admitted elsewhere failed over to `upstream`: it holds a slot there now, over the
    // limit if need be (a request mid-retry does not queue); the waiters go in as slots free.
    void takeOver(const QString &upstream);
    // A waiter whose client has gone: out of the queue, neither callback called.
    void cancel(const QString &upstream, quint64 ticket);
    // Waiters past their upstream's queueTimeoutMs are refused.
    void expire(qint64 nowMs);
    // An answer from the upstream: 429 (`rateLimited`) or anything else, for the adaptive limit.
    void noteOutcome(const QString &upstream, qint64 nowMs, bool rateLimited);

    int limit(const QString &upstream) const;   // in force now; 0: none
    int held(const QString &upstream) const;
    int queued(const QString &upstream) const;

private:
    struct Waiter
    {
        quint64 ticket = 0;
        int tier = 0;
        qint64 sinceMs = 0;
        Admit admit;
        Refuse refuse;
    };
    struct Lane
    {
        Settings settings;
        int limit = 0;          // adaptive; 0: none
        int held = 0;
        int successes = 0;      // in a row, since the last change of limit
        qint64 last429Ms = -1'000'000;
        QList<Waiter> queue;    // by tier (highest first), then arrival
    };
    bool hasRoom(const Lane &lane) const { return lane.limit <= 0 || lane.held < lane.limit; }
    void admitWaiting(Lane &lane);
    static void insert(Lane &lane, Waiter waiter);

    QHash<QString, Lane> m_lanes;
    quint64 m_nextTicket = 1;
};
