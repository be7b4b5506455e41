#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

// Measures how long the thread's event loop goes without running: a timer asks to fire every
// 5 ms, and how much later than that it actually fires is a stall (painting, a model reset, a
// blocking call). For the console's responsiveness benchmark (bench/console): started when
// TOKENFUSE_STALL_PROBE names a file, it writes its figures there as JSON when it is destroyed
// and every few seconds on the way.
class EventLoopStallProbe : public QObject
{
    Q_OBJECT
public:
    explicit EventLoopStallProbe(const QString &reportPath, QObject *parent = nullptr);
    ~EventLoopStallProbe() override;

    qint64 longestStallMs() const { return m_longestUs / 1000; }
    QByteArray reportJson() const;

private:
    void tick();
    void write() const;

    QString m_path;
    QTimer m_timer;
    QTimer m_writer;
    QElapsedTimer m_clock;
    qint64 m_lastUs = 0;
    qint64 m_longestUs = 0;
    qint64 m_ticks = 0;
    qint64 m_over16 = 0;  // a frame at 60 Hz missed
    qint64 m_over50 = 0;  // a pause a user notices
    qint64 m_over100 = 0;
    qint64 m_startedAtMs = 0;
};
