#include "EventLoopStallProbe.h"

#include <QDateTime>
#include <QEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QSaveFile>

#include <algorithm>
#include <ctime>

namespace {
constexpr int TickMs = 5;

// Keeps `list` to the `kept` largest by `key`, largest first: adds `item` if it is one of them.
// `make` builds the item only then (describing a delivery costs a string).
template<typename List, typename Make>
void keepLargest(List &list, std::size_t kept, qint64 key, qint64 (*keyOf)(const typename List::value_type &), Make make)
{
    if (list.size() >= kept && key <= keyOf(list.back()))
        return;
    const auto at = std::find_if(list.begin(), list.end(), [&](const auto &item) { return keyOf(item) < key; });
    list.insert(at, make());
    if (list.size() > kept)
        list.pop_back();
}
} // namespace

EventLoopStallProbe::EventLoopStallProbe(const QString &reportPath, QObject *parent) : QObject(parent), m_path(reportPath)
{
    m_startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_clock.start();
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopStallProbe::tick);
    m_timer.start(TickMs);
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
        keepLargest(m_worst, WorstKept, lateUs, [](const Stall &s) { return s.lateUs; }, [&] { return Stall{now, lateUs}; });
    }
    m_lastUs = now;
    ++m_ticks;
}

qint64 EventLoopStallProbe::threadCpuUs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000;
}

EventLoopStallProbe::Delivery EventLoopStallProbe::Delivery::of(const QObject *receiver, const QEvent *event)
{
    Delivery d;
    d.receiverClass = receiver->metaObject();
    d.receiverName = receiver->objectName();
    if (const QObject *parent = receiver->parent()) {
        d.parentClass = parent->metaObject();
        d.parentName = parent->objectName();
    }
    d.eventType = int(event->type());
    return d;
}

QString EventLoopStallProbe::Delivery::describe() const
{
    const auto name = [](const QMetaObject *cls, const QString &object) {
        const QString c = QString::fromLatin1(cls ? cls->className() : "?");
        return object.isEmpty() ? c : QStringLiteral("%1(%2)").arg(c, object);
    };
    QString text = name(receiverClass, receiverName);
    if (parentClass)
        text += QStringLiteral(" in ") + name(parentClass, parentName);
    const char *type = QMetaEnum::fromType<QEvent::Type>().valueToKey(eventType);
    return text + QStringLiteral(": ") + (type ? QString::fromLatin1(type) : QString::number(eventType));
}

void EventLoopStallProbe::recordDelivery(const Delivery &delivery, qint64 wallUs, qint64 cpuUs)
{
    ++m_deliveries;
    keepLargest(m_slowest, WorstKept, wallUs, [](const Slow &s) { return s.wallUs; },
                [&] { return Slow{delivery.describe(), m_clock.nsecsElapsed() / 1000, wallUs, cpuUs}; });
}

QByteArray EventLoopStallProbe::reportJson() const
{
    QJsonArray worst;
    for (const Stall &s : m_worst)
        worst.append(QJsonObject{{"at_s", double(s.atUs / 1000) / 1000.0}, {"ms", double(s.lateUs) / 1000.0}});
    QJsonArray slowest;
    for (const Slow &s : m_slowest)
        slowest.append(QJsonObject{{"what", s.what},
                                   {"at_s", double(s.atUs / 1000) / 1000.0},
                                   {"ms", double(s.wallUs) / 1000.0},
                                   {"cpu_ms", double(s.cpuUs) / 1000.0}});
    QJsonObject report{{"started_at_ms", m_startedAtMs},
                                     {"seconds", double(m_clock.elapsed()) / 1000.0},
                                     {"ticks", m_ticks},
                                     {"longest_stall_ms", double(m_longestUs) / 1000.0},
                                     {"stalls_over_16ms", m_over16},
                                     {"stalls_over_50ms", m_over50},
                                     {"stalls_over_100ms", m_over100},
                                     {"worst", worst}};
    // Only with ConsoleApplication timing the deliveries.
    if (m_deliveries > 0) {
        report.insert("deliveries", m_deliveries);
        report.insert("slowest_deliveries", slowest);
    }
    return QJsonDocument(report).toJson(QJsonDocument::Compact);
}

void EventLoopStallProbe::write() const
{
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        return;
    f.write(reportJson() + '\n');
    f.commit();
}
