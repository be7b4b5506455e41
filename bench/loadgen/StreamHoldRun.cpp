#include "StreamHoldRun.h"

#include "BenchClock.h"
#include "ClientConnection.h"

#include <QTimer>

#include <cstdio>

StreamHoldRun::StreamHoldRun(const BenchTarget &target, const Options &options, QObject *parent)
    : QObject(parent), m_target(target), m_options(options), m_streams(size_t(options.streams))
{
}

void StreamHoldRun::start()
{
    m_startNs = benchNowNs();
    QTimer::singleShot(m_options.timeoutS * 1000, this, [this] {
        std::fprintf(stderr, "loadgen: streams: timed out after %d s\n", m_options.timeoutS);
        if (!m_holdSampled)
            holdReached(); // sample what there is, and say that not all were open
        report();
    });
    connectMore();
}

void StreamHoldRun::connectMore()
{
    while (m_started < m_options.streams && m_connecting < m_options.connectAtOnce) {
        const int index = m_started++;
        ++m_connecting;
        auto *c = new ClientConnection(m_target, true, this);
        m_streams[size_t(index)].connection = c;
        connect(c, &ClientConnection::connected, this, [this, c, index] {
            m_streams[size_t(index)].connected = true;
            --m_connecting;
            c->send();
            connectMore();
        });
        connect(c, &ClientConnection::headReceived, this, [this, index](int status) { m_streams[size_t(index)].status = status; });
        connect(c, &ClientConnection::bodyReceived, this, [this, index](const QByteArray &data, qint64) { onBody(index, data); });
        connect(c, &ClientConnection::responseComplete, this, [this, index](int status, qint64) {
            Stream &s = m_streams[size_t(index)];
            onEnded(index, status == 200 && s.sawDone, status == 200 ? QStringLiteral("no [DONE]") : QStringLiteral("HTTP %1").arg(status));
        });
        connect(c, &ClientConnection::failed, this, [this, index](const QString &why) {
            if (!m_streams[size_t(index)].connected && !m_streams[size_t(index)].ended) {
                --m_connecting; // failed while connecting
                connectMore();
            }
            onEnded(index, false, why);
        });
        c->open();
    }
}

void StreamHoldRun::onBody(int index, const QByteArray &data)
{
    Stream &s = m_streams[size_t(index)];
    s.pending += data;
    qsizetype at = 0;
    for (;;) {
        const qsizetype end = s.pending.indexOf("\n\n", at);
        if (end < 0)
            break;
        const QByteArray event = s.pending.mid(at, end - at);
        at = end + 2;
        if (event.startsWith("data: [DONE]")) {
            s.sawDone = true;
            continue;
        }
        if (event.contains("\"content\":\"") && !event.contains("\"content\":\"\"")) {
            ++s.contentEvents;
            if (!s.open && !s.ended) {
                s.open = true;
                if (++m_openNow > m_maxOpen)
                    m_maxOpen = m_openNow;
                if (m_openNow == m_options.streams && !m_holdSampled) {
                    m_allOpenNs = benchNowNs();
                    holdReached();
                }
            }
        }
    }
    s.pending.remove(0, at);
}

void StreamHoldRun::onEnded(int index, bool ok, const QString &why)
{
    Stream &s = m_streams[size_t(index)];
    if (s.ended)
        return;
    s.ended = true;
    ++m_ended;
    if (s.open) {
        s.open = false;
        --m_openNow;
    }
    if (!ok) {
        s.failed = true;
        if (m_firstError.isEmpty())
            m_firstError = why;
    }
    s.connection->deleteLater();
    checkEnd();
}

void StreamHoldRun::holdReached()
{
    m_holdSampled = true;
    QTimer::singleShot(m_options.settleMs, this, [this] {
        m_openAtFirstSample = m_openNow;
        sampleAll(&m_first);
        QTimer::singleShot(m_options.windowMs, this, [this] {
            m_openAtSecondSample = m_openNow;
            sampleAll(&m_second);
            m_secondTaken = true;
            std::printf("HOLD sampled open=%d\n", m_openNow); // bench/run.sh may probe the held server now
            std::fflush(stdout);
            checkEnd();
        });
    });
}

void StreamHoldRun::sampleAll(std::vector<ProcessSample> *into)
{
    into->clear();
    for (const auto &w : m_options.watch)
        into->push_back(ProcessSample::of(w.second));
}

void StreamHoldRun::checkEnd()
{
    if (m_ended < m_options.streams || (m_holdSampled && !m_secondTaken))
        return;
    report();
}

void StreamHoldRun::report()
{
    if (m_done)
        return;
    m_done = true;
    int done = 0, failed = 0, minEvents = -1, maxEvents = 0;
    for (const Stream &s : m_streams) {
        if (s.failed)
            ++failed;
        else if (s.sawDone && s.ended)
            ++done;
        minEvents = minEvents < 0 ? s.contentEvents : qMin(minEvents, s.contentEvents);
        maxEvents = qMax(maxEvents, s.contentEvents);
    }
    const bool allOpen = m_allOpenNs > 0;
    std::printf("RESULT streams target=%s streams=%d max_open=%d all_open=%d all_open_after_ms=%.0f open_at_sample1=%d "
                "open_at_sample2=%d completed_with_done=%d failed=%d content_events_min=%d content_events_max=%d "
                "total_s=%.1f first_error=\"%s\"",
                qPrintable(m_target.name), m_options.streams, m_maxOpen, allOpen ? 1 : 0,
                allOpen ? double(m_allOpenNs - m_startNs) / 1e6 : -1.0, m_openAtFirstSample, m_openAtSecondSample, done,
                failed, minEvents, maxEvents, double(benchNowNs() - m_startNs) / 1e9, qPrintable(m_firstError));
    for (size_t i = 0; i < size_t(m_options.watch.size()) && i < m_first.size() && i < m_second.size(); ++i) {
        const QString &name = m_options.watch[qsizetype(i)].first;
        std::printf(" %s_rss_kb=%lld %s_hwm_kb=%lld %s_cpu_pct=%.1f", qPrintable(name), m_second[i].rssKb, qPrintable(name),
                    m_second[i].hwmKb, qPrintable(name), ProcessSample::cpuPercent(m_first[i], m_second[i]));
    }
    std::printf("\n");
    std::fflush(stdout);
    Q_EMIT finished(allOpen && done == m_options.streams ? 0 : 1);
}
