#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <queue>
#include <vector>

// Wakes each simulated exchange when its next step is due, with one timer for all of them: a
// min-heap of (due time, exchange id) and a single precise timer armed for the earliest entry.
// Each wake-up of the event loop polls every open socket, so with thousands of streams it is the
// number of wake-ups, not of timers, that costs: under load the pacer wakes at most once per
// resolution, which grows with the number of waiting exchanges (0 ms below 256, up to 8 ms from
// 2,048), so a step is never more than that late. Exchanges are named by id, not pointer: one that
// ended meanwhile is simply not found when its entry comes up, so nothing needs cancelling.
class SimulatorPacer : public QObject
{
    Q_OBJECT
public:
    // Runs one step of the exchange; returns when it wants to run again, or -1 when it is done.
    using Step = std::function<qint64(quint64 id)>;

    explicit SimulatorPacer(Step step, QObject *parent = nullptr);

    // Milliseconds on the pacer's monotonic clock.
    qint64 now() const { return m_clock.elapsed(); }
    void schedule(quint64 id, qint64 dueMs);
    int pending() const { return int(m_queue.size()); }
    // The current batching of wake-ups, from the load.
    int resolutionMs() const;

private:
    struct Entry
    {
        qint64 due;
        quint64 id;
        bool operator>(const Entry &o) const { return due > o.due || (due == o.due && id > o.id); }
    };

    void fire();
    void arm();

    Step m_step;
    qint64 m_lastFire = -1'000'000;
    QElapsedTimer m_clock;
    QTimer m_timer;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_queue;
    std::vector<quint64> m_batch;
};
