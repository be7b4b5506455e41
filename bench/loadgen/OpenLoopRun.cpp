#include "OpenLoopRun.h"

#include "BenchClock.h"
#include "ClientConnection.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <sys/timerfd.h>
#include <unistd.h>

OpenLoopRun::OpenLoopRun(const BenchTarget &target, const Options &options, QObject *parent)
    : QObject(parent), m_target(target), m_options(options)
{
    m_intervalNs = qint64(1e9 / m_options.rate);
    m_total = qint64((m_options.warmupS + m_options.durationS) * m_options.rate);
}

OpenLoopRun::~OpenLoopRun()
{
    if (m_timerFd >= 0)
        ::close(m_timerFd);
}

ClientConnection *OpenLoopRun::newConnection()
{
    auto *c = new ClientConnection(m_target, false, this);
    ++m_open;
    ++m_opened;
    connect(c, &ClientConnection::responseComplete, this, [this, c](int status, qint64 at) { onComplete(c, status, at); });
    connect(c, &ClientConnection::failed, this, [this, c](const QString &why) { onFailed(c, why); });
    c->open();
    return c;
}

void OpenLoopRun::start()
{
    m_timerFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    m_notifier = new QSocketNotifier(m_timerFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &OpenLoopRun::onTimer);
    if (m_options.fresh) {
        begin();
        return;
    }
    // Open the pool first, so connection set-up is not charged to the first requests.
    for (int i = 0; i < m_options.connections; ++i) {
        ClientConnection *c = newConnection();
        connect(c, &ClientConnection::connected, this, [this, c] {
            if (m_sending)
                return;
            m_idle.append(c);
            if (++m_ready < m_options.connections)
                return;
            // One request on each connection first: whatever a server does once per connection
            // (and the upstream connections a proxy opens) is done before the clock starts.
            m_priming = true;
            for (ClientConnection *idle : std::as_const(m_idle))
                idle->send();
        });
    }
    QTimer::singleShot(5000, this, [this] {
        if (!m_sending) {
            std::fprintf(stderr, "loadgen: only %d of %d connections opened in 5 s\n", m_ready, m_options.connections);
            Q_EMIT finished(1);
        }
    });
}

void OpenLoopRun::begin()
{
    m_sending = true;
    m_startNs = benchNowNs() + 5'000'000;
    m_measureFromNs = m_startNs + qint64(m_options.warmupS * 1e9);
    m_endNs = m_startNs + m_total * m_intervalNs;
    armTimer(m_startNs);
}

void OpenLoopRun::armTimer(qint64 atNs)
{
    itimerspec spec = {};
    spec.it_value.tv_sec = atNs / 1'000'000'000;
    spec.it_value.tv_nsec = atNs % 1'000'000'000;
    ::timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void OpenLoopRun::onTimer()
{
    quint64 expirations = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_timerFd, &expirations, sizeof expirations);
    const qint64 now = benchNowNs();
    while (m_next < m_total && m_startNs + m_next * m_intervalNs <= now)
        dispatch(m_startNs + m_next++ * m_intervalNs);
    if (m_next < m_total) {
        armTimer(m_startNs + m_next * m_intervalNs);
        return;
    }
    // Everything is sent: give the stragglers their time, then report.
    QTimer::singleShot(int(m_options.drainS * 1000), this, [this] {
        if (!m_done) {
            m_done = true;
            report();
        }
    });
    checkEnd();
}

void OpenLoopRun::dispatch(qint64 scheduledNs)
{
    if (scheduledNs >= m_measureFromNs)
        ++m_measuredSent;
    if (!m_idle.isEmpty() && !m_options.fresh) {
        sendOn(m_idle.takeLast(), scheduledNs); // most recently used first, as HTTP agents do
        return;
    }
    if (m_open < m_options.maxConnections) {
        ClientConnection *c = newConnection();
        m_connecting.insert(c, scheduledNs);
        connect(c, &ClientConnection::connected, this, [this, c] {
            const auto it = m_connecting.find(c);
            if (it == m_connecting.end())
                return;
            const qint64 scheduled = it.value();
            m_connecting.erase(it);
            sendOn(c, scheduled);
        });
        return;
    }
    m_waiting.push_back(scheduledNs);
}

void OpenLoopRun::sendOn(ClientConnection *c, qint64 scheduledNs)
{
    InFlight f;
    f.scheduledNs = scheduledNs;
    f.sentNs = c->send();
    m_inFlight.insert(c, f);
    ++m_sent;
}

void OpenLoopRun::onComplete(ClientConnection *c, int status, qint64 arrivalNs)
{
    if (m_priming) {
        if (status != 200 && m_firstError.isEmpty())
            m_firstError = QStringLiteral("HTTP %1 while priming").arg(status);
        if (++m_primed == m_options.connections) {
            m_priming = false;
            begin();
        }
        return;
    }
    const auto it = m_inFlight.find(c);
    if (it == m_inFlight.end())
        return;
    const InFlight f = it.value();
    m_inFlight.erase(it);
    if (status == 200) {
        ++m_ok;
        if (f.scheduledNs >= m_measureFromNs) {
            m_latency.add(double(arrivalNs - f.scheduledNs) / 1e6);
            if (m_options.slowLogMs > 0 && double(arrivalNs - f.scheduledNs) / 1e6 > m_options.slowLogMs)
                std::fprintf(stderr, "SLOW at_ms=%.1f latency_ms=%.3f\n", double(f.scheduledNs - m_measureFromNs) / 1e6,
                             double(arrivalNs - f.scheduledNs) / 1e6);
            m_service.add(double(arrivalNs - f.sentNs) / 1e6);
            m_lag.add(double(f.sentNs - f.scheduledNs) / 1e6);
        }
    } else {
        ++m_errors;
        if (m_firstError.isEmpty())
            m_firstError = QStringLiteral("HTTP %1").arg(status);
    }
    if (m_options.fresh) {
        --m_open;
        c->disconnect(this);
        c->deleteLater();
    } else if (!m_waiting.empty()) {
        const qint64 scheduled = m_waiting.front();
        m_waiting.pop_front();
        sendOn(c, scheduled);
    } else if (c->isConnected()) {
        m_idle.append(c);
    }
    checkEnd();
}

void OpenLoopRun::onFailed(ClientConnection *c, const QString &why)
{
    --m_open;
    m_idle.removeAll(c);
    if (m_inFlight.remove(c) || m_connecting.remove(c)) {
        ++m_errors;
        if (m_firstError.isEmpty())
            m_firstError = why;
    }
    c->deleteLater();
    checkEnd();
}

void OpenLoopRun::checkEnd()
{
    if (m_done || m_next < m_total || !m_inFlight.isEmpty() || !m_connecting.isEmpty() || !m_waiting.empty())
        return;
    m_done = true;
    report();
}

void OpenLoopRun::report()
{
    const qint64 unanswered = qint64(m_inFlight.size() + m_connecting.size()) + qint64(m_waiting.size());
    const double measuredS = double(m_endNs - m_measureFromNs) / 1e9;
    std::printf("RESULT rate target=%s fresh=%d rate=%.0f measured_s=%.1f sent=%lld measured=%lld ok=%lld errors=%lld unanswered=%lld "
                "connections_opened=%d achieved_rps=%.1f %s %s lag_p50_ms=%.3f lag_p99_ms=%.3f lag_max_ms=%.3f first_error=\"%s\"\n",
                qPrintable(m_target.name), m_options.fresh ? 1 : 0, m_options.rate, measuredS, m_sent, qint64(m_latency.count()), m_ok, m_errors,
                unanswered, m_opened, double(m_latency.count()) / measuredS, qPrintable(m_latency.summary()),
                qPrintable(m_service.summary(QStringLiteral("service_"))), m_lag.percentile(50), m_lag.percentile(99),
                m_lag.max(), qPrintable(m_firstError));
    std::fflush(stdout);
    Q_EMIT finished(m_errors || unanswered ? 1 : 0);
}
