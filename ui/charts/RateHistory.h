#pragma once

#include <QList>
#include <QtGlobal>

// Per-second buckets of requests and tokens over a fixed window (five minutes by default), fed
// with the deltas of each gateway snapshot. A fixed-length ring: memory and plotting cost stay
// bounded however long the console runs. Time comes from the snapshots, not the wall clock, so a
// burst of queued snapshots lands in the seconds it belongs to.
class RateHistory
{
public:
    struct Second
    {
        qint64 second = 0; // seconds since the Unix epoch
        qint64 requests = 0;
        qint64 tokens = 0;
    };

    explicit RateHistory(int capacitySeconds = 300);

    // Adds the deltas of one snapshot taken at takenAtMs (milliseconds since the Unix epoch).
    void addSample(qint64 takenAtMs, qint64 requests, qint64 tokens);
    void clear();

    int capacity() const { return int(m_ring.size()); }
    // Completed seconds held, oldest first; the second still being filled is not among them.
    int size() const { return m_size; }
    const Second &at(int index) const;
    // The second still being filled; completed ones are before it.
    qint64 openSecond() const { return m_open.second; }
    bool isEmpty() const { return m_size == 0; }

    // Mean per second over the last `seconds` completed seconds (fewer when fewer are held).
    double requestsPerSecond(int seconds) const;
    double tokensPerSecond(int seconds) const;

    // Changes whenever a second is completed, so a view can skip redrawing unchanged data.
    quint64 revision() const { return m_revision; }

private:
    void push(const Second &second);

    QList<Second> m_ring;
    int m_head = 0; // index of the oldest completed second
    int m_size = 0;
    Second m_open;
    bool m_hasOpen = false;
    quint64 m_revision = 0;
};
