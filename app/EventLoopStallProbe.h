#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <vector>

// Measures how long the thread's event loop goes without running: a timer asks to fire every
// 5 ms, and how much later than that it actually fires is a stall (painting, a model reset, a
// blocking call). For the console's responsiveness benchmark (bench/console): started when
// TOKENFUSE_STALL_PROBE names a file, it writes its figures there as JSON when it is destroyed
// (tokenfuse-console ends cleanly on SIGTERM), and only then: writing the file on the way, from
// the thread it watches, was itself its longest stall (QSaveFile syncs to disk, and a disk busy
// with the gateway's store took 100-600 ms).
class EventLoopStallProbe : public QObject
{
    Q_OBJECT
public:
    explicit EventLoopStallProbe(const QString &reportPath, QObject *parent = nullptr);
    ~EventLoopStallProbe() override;

    qint64 longestStallMs() const { return m_longestUs / 1000; }
    // The processor time the calling thread has used, in microseconds (CLOCK_THREAD_CPUTIME_ID).
    static qint64 threadCpuUs();
    QByteArray reportJson() const;

    // One event the thread's event loop delivered, as cheap to take as it can be: it is taken for
    // every event, and described only if it is among the slowest.
    struct Delivery
    {
        const QMetaObject *receiverClass = nullptr;
        QString receiverName;
        const QMetaObject *parentClass = nullptr;
        QString parentName;
        int eventType = 0;
        static Delivery of(const QObject *receiver, const QEvent *event);
        QString describe() const; // "QTimer in OverviewPage(overviewPage): Timer"
    };
    // How long one delivery took, on the clock and in the thread's CPU time (ConsoleApplication).
    void recordDelivery(const Delivery &delivery, qint64 wallUs, qint64 cpuUs);

private:
    void tick();
    void write() const;

    QString m_path;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastUs = 0;
    qint64 m_longestUs = 0;
    qint64 m_ticks = 0;
    qint64 m_over16 = 0;  // a frame at 60 Hz missed
    qint64 m_over50 = 0;  // a pause a user notices
    qint64 m_over100 = 0;
    qint64 m_startedAtMs = 0;
    // The longest few stalls, longest first, with when they ended (microseconds since the start):
    // to tell a stall while the window first shows from one under load.
    struct Stall
    {
        qint64 atUs = 0;
        qint64 lateUs = 0;
    };
    static constexpr std::size_t WorstKept = 5;
    std::vector<Stall> m_worst;
    struct Slow
    {
        QString what;
        qint64 atUs = 0;
        qint64 wallUs = 0;
        qint64 cpuUs = 0;
    };
    std::vector<Slow> m_slowest; // longest first
    qint64 m_deliveries = 0;
};
