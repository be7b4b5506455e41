#pragma once

#include "BenchTarget.h"
#include "LatencyStats.h"

#include <QList>
#include <QObject>

#include <vector>

class ClientConnection;

// Measures, for each target in turn, how long each streamed chunk takes from the moment the
// upstream (a TimestampUpstream) wrote it to the moment this client read it. The "direct" target
// is the loopback and client baseline; the difference to a proxy's figure is the proxy's own
// relay delay. S kept-alive connections first carry a short warm-up stream each, then the
// measured streams, all S at once, their starts spread over one chunk interval: the steady
// state of a proxy that already knows its clients.
class RelayDelayRun : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int streams = 10;
        int chunks = 100;
        int intervalMs = 20;
    };
    RelayDelayRun(const QList<BenchTarget> &targets, const Options &options, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Stream
    {
        ClientConnection *connection = nullptr;
        QByteArray pending;
        int chunks = 0;
        bool sawDone = false;
        bool ended = false;
        bool failed = false;
    };
    void runTarget(int index);
    void sendRound(bool warmup);
    void onBody(int index, const QByteArray &data, qint64 arrivalNs);
    void onEnded(int index, bool failed, const QString &why);
    void roundDone();

    QList<BenchTarget> m_targets;
    Options m_options;
    int m_current = -1;
    bool m_warmup = false;
    int m_connected = 0;
    std::vector<Stream> m_streams;
    int m_ended = 0;
    LatencyStats m_delay;
    QString m_firstError;
    int m_exitCode = 0;
};
