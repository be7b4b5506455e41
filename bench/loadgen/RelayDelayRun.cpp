#include "RelayDelayRun.h"

#include "ClientConnection.h"

#include <QTimer>

#include <cstdio>

RelayDelayRun::RelayDelayRun(const QList<BenchTarget> &targets, const Options &options, QObject *parent)
    : QObject(parent), m_targets(targets), m_options(options)
{
}

void RelayDelayRun::start()
{
    runTarget(0);
}

void RelayDelayRun::runTarget(int index)
{
    m_current = index;
    m_connected = 0;
    m_streams.assign(size_t(m_options.streams), Stream());
    for (int i = 0; i < m_options.streams; ++i) {
        auto *c = new ClientConnection(m_targets[index], true, this);
        m_streams[size_t(i)].connection = c;
        connect(c, &ClientConnection::bodyReceived, this, [this, i](const QByteArray &d, qint64 at) { onBody(i, d, at); });
        connect(c, &ClientConnection::responseComplete, this, [this, i](int status, qint64) {
            onEnded(i, status != 200 || !m_streams[size_t(i)].sawDone, QStringLiteral("HTTP %1 or no [DONE]").arg(status));
        });
        connect(c, &ClientConnection::failed, this, [this, i](const QString &why) { onEnded(i, true, why); });
        connect(c, &ClientConnection::connected, this, [this] {
            if (++m_connected == m_options.streams)
                sendRound(true);
        });
        c->open();
    }
}

void RelayDelayRun::sendRound(bool warmup)
{
    m_warmup = warmup;
    m_ended = 0;
    m_delay = LatencyStats();
    QByteArray request = m_targets[m_current].request;
    if (warmup) // a short stream: opens the proxy's upstream connections, warms its code paths and caches
        request.replace("\r\n\r\n", "\r\nx-bench-chunks: 5\r\n\r\n");
    for (int i = 0; i < m_options.streams; ++i) {
        Stream &s = m_streams[size_t(i)];
        if (s.failed) {
            ++m_ended;
            continue;
        }
        s.pending.clear();
        s.chunks = 0;
        s.sawDone = s.ended = false;
        ClientConnection *c = s.connection;
        // Spread the starts over one interval so the streams' chunks interleave.
        QTimer::singleShot(warmup ? 0 : m_options.intervalMs * i / m_options.streams, c, [c, request] { c->send(request); });
    }
    if (m_ended == m_options.streams)
        QTimer::singleShot(0, this, &RelayDelayRun::roundDone);
}

void RelayDelayRun::onBody(int index, const QByteArray &data, qint64 arrivalNs)
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
        static const QByteArray marker = "\"content\":\"t";
        const qsizetype m = event.indexOf(marker);
        if (m < 0)
            continue;
        const qsizetype from = m + marker.size();
        const qsizetype to = event.indexOf('"', from);
        bool ok = false;
        const qint64 sentNs = event.mid(from, to - from).toLongLong(&ok);
        if (!ok)
            continue;
        ++s.chunks;
        m_delay.add(double(arrivalNs - sentNs) / 1e6);
    }
    s.pending.remove(0, at);
}

void RelayDelayRun::onEnded(int index, bool failed, const QString &why)
{
    Stream &s = m_streams[size_t(index)];
    if (s.ended && !failed)
        return;
    if (failed && !s.failed) {
        s.failed = true;
        if (m_firstError.isEmpty())
            m_firstError = why;
    }
    if (s.ended)
        return; // a close after the stream had ended: the connection is gone for the next round
    s.ended = true;
    if (++m_ended == m_options.streams)
        QTimer::singleShot(0, this, &RelayDelayRun::roundDone);
}

void RelayDelayRun::roundDone()
{
    if (m_warmup) {
        sendRound(false);
        return;
    }
    int done = 0, chunks = 0;
    for (const Stream &s : m_streams) {
        if (!s.failed && s.sawDone)
            ++done;
        chunks += s.chunks;
    }
    std::printf("RESULT relay target=%s streams=%d chunks_per_stream=%d interval_ms=%d samples=%lld completed_with_done=%d %s "
                "first_error=\"%s\"\n",
                qPrintable(m_targets[m_current].name), m_options.streams, m_options.chunks, m_options.intervalMs,
                qint64(m_delay.count()), done, qPrintable(m_delay.summary()), qPrintable(m_firstError));
    std::fflush(stdout);
    if (done != m_options.streams || chunks != m_options.streams * m_options.chunks)
        m_exitCode = 1;
    for (Stream &s : m_streams) {
        s.connection->disconnect(this);
        s.connection->deleteLater();
    }
    m_firstError.clear();
    if (m_current + 1 < m_targets.size())
        runTarget(m_current + 1);
    else
        Q_EMIT finished(m_exitCode);
}
