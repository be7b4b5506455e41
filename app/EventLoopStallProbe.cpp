#include "EventLoopStallProbe.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace {
constexpr int TickMs = 5;
}

EventLoopStallProbe::EventLoopStallProbe(const QString &reportPath, QObject *parent) : QObject(parent), m_path(reportPath)
{
    m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_clock.start();
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopStallProbe::tick);
    m_timer.start(TickMs);
    connect(&m_writer, &QTimer::timeout, this, &EventLoopStallProbe::write);
    m_writer.start(2000);
}

EventLoopStallProbe::~EventLoopStallProbe()
{
    write();
}

void EventLoopStallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed() / 1000;
    if (m_ticks > 0) {
        const qint64 lateUs = now - m_lastUs - TickMs * 1000;
        m_longestUs = qMax(m_longestUs, lateUs);
        m_over16 += lateUs > 16'000;
        m_over50 += lateUs > 50'000;
        m_over100 += lateUs > 100'000;
    }
    m_lastUs = now;
    ++m_ticks;
}

QByteArray EventLoopStallProbe::reportJson() const
{
    return QJsonDocument(QJsonObject{{"started_at_ms", m_startedAtMs},
                                     {"seconds", double(m_clock.elapsed()) / 1000.0},
                                     {"ticks", m_ticks},
                                     {"longest_stall_ms", double(m_longestUs) / 1000.0},
                                     {"stalls_over_16ms", m_over16},
                                     {"stalls_over_50ms", m_over50},
                                     {"stalls_over_100ms", m_over100}})
        .toJson(QJsonDocument::Compact);
}

void EventLoopStallProbe::write() const
{
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        return;
    f.write(reportJson() + '\n');
    f.commit();
}
