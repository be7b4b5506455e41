#pragma once

#include "BenchTarget.h"
#include "LatencyStats.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <deque>

class ClientConnection;
class QSocketNotifier;

// Open-loop load: requests leave on a fixed schedule (rate per second), whether or not earlier
// ones have been answered, over a pool of kept-alive connections that grows when every connection
// is busy. Latency runs from the *scheduled* send time, so a stall is charged to every request it
// delays (no coordinated omission). A timerfd wakes the loop at the exact nanosecond.
class OpenLoopRun : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        double rate = 200;
        double warmupS = 2;
        double durationS = 10;
        int connections = 16;      // opened, and each used once, before the first request
        int maxConnections = 1000; // the pool grows up to this; beyond it requests wait in line
        double drainS = 5;         // after the last send, how long to wait for the last answers
        bool fresh = false;        // a new connection for every request, closed after its answer
        double slowLogMs = 0;      // > 0: print each measured request slower than this to stderr
    };
    OpenLoopRun(const BenchTarget &target, const Options &options, QObject *parent = nullptr);
    ~OpenLoopRun() override;
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct InFlight
    {
        qint64 scheduledNs = 0;
        qint64 sentNs = 0;
    };
    ClientConnection *newConnection();
    void begin();
    void onTimer();
    void armTimer(qint64 atNs);
    void dispatch(qint64 scheduledNs);
    void sendOn(ClientConnection *c, qint64 scheduledNs);
    void onComplete(ClientConnection *c, int status, qint64 arrivalNs);
    void onFailed(ClientConnection *c, const QString &why);
    void checkEnd();
    void report();

    BenchTarget m_target;
    Options m_options;
    int m_timerFd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QList<ClientConnection *> m_idle;
    QHash<ClientConnection *, InFlight> m_inFlight;
    QHash<ClientConnection *, qint64> m_connecting; // new connection -> scheduled time of its first request
    std::deque<qint64> m_waiting;                   // scheduled times with no connection yet
    int m_open = 0;
    int m_opened = 0;
    int m_ready = 0;
    qint64 m_startNs = 0;
    qint64 m_measureFromNs = 0;
    qint64 m_endNs = 0;
    qint64 m_next = 0; // index of the next request to schedule
    qint64 m_intervalNs = 0;
    qint64 m_total = 0;
    qint64 m_sent = 0, m_ok = 0, m_errors = 0, m_measuredSent = 0;
    bool m_sending = false, m_done = false, m_priming = false;
    int m_primed = 0;
    LatencyStats m_latency, m_service, m_lag;
    QString m_firstError;
};
