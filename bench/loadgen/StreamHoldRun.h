#pragma once

#include "BenchTarget.h"
#include "ProcessSample.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <vector>

class ClientConnection;

// Opens N streamed requests at once, one connection each, and checks that all N are open at the
// same moment (each has delivered a content event and none has ended) and that each ends with
// `data: [DONE]`. While all N are held it samples the watched processes: memory, and CPU over a
// window.
class StreamHoldRun : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int streams = 1000;
        int connectAtOnce = 200;   // connection attempts in progress at a time (a polite ramp)
        int settleMs = 1000;       // after all are open, before the first sample
        int windowMs = 5000;       // CPU is measured over this window
        int timeoutS = 120;
        QList<QPair<QString, qint64>> watch; // name, pid
    };
    StreamHoldRun(const BenchTarget &target, const Options &options, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    struct Stream
    {
        ClientConnection *connection = nullptr;
        QByteArray pending;    // SSE bytes not yet split into events
        int status = 0;
        int contentEvents = 0;
        bool connected = false;
        bool open = false;     // has delivered its first content event, not ended yet
        bool sawDone = false;
        bool ended = false;
        bool failed = false;
    };
    void connectMore();
    void onBody(int index, const QByteArray &data);
    void onEnded(int index, bool ok, const QString &why);
    void holdReached();
    void sampleAll(std::vector<ProcessSample> *into);
    void checkEnd();
    void report();

    BenchTarget m_target;
    Options m_options;
    std::vector<Stream> m_streams;
    int m_started = 0, m_connecting = 0, m_openNow = 0, m_maxOpen = 0, m_ended = 0;
    int m_openAtFirstSample = -1, m_openAtSecondSample = -1;
    qint64 m_startNs = 0, m_allOpenNs = 0;
    std::vector<ProcessSample> m_first, m_second;
    bool m_holdSampled = false, m_secondTaken = false, m_done = false;
    QString m_firstError;
};
