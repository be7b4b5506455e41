#pragma once

#include "session/SessionView.h"

#include <QList>
#include <QMetaType>
#include <QString>

// What the gateway publishes to the console a few times a second: a copyable value, so it crosses
// from the gateway thread to the GUI thread by a queued signal without sharing anything.
struct GatewaySnapshot
{
    enum class State { Stopped, Starting, Running, Failed };

    State state = State::Stopped;
    QString listenAddress;      // "127.0.0.1:8400"
    QString error;              // why it failed, when state == Failed
    bool simulatorOnly = false; // no upstream configured: every model is served by the simulator
    QStringList upstreams;      // names, in routing order
    QString storeProblem;       // why the usage store cannot write (requests are refused meanwhile); empty when it can
    qint64 takenAtMs = 0;

    // Totals since start.
    qint64 requestsTotal = 0;
    qint64 requestsFailed = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 costMicros = 0;
    // Right now.
    int inFlight = 0;
    int openConnections = 0;
    // Since the previous snapshot (for rates and charts).
    qint64 requestsDelta = 0;
    qint64 tokensDelta = 0;
    qint64 costMicrosDelta = 0;
    qint64 latencyP50Ms = -1;   // of requests that ended since the previous snapshot
    qint64 latencyP99Ms = -1;

    // The sessions that matter, most recent first: every one active in the last few minutes, in
    // flight, tripped or killed, then the latest others up to a bound (SessionBook::views).
    QList<SessionView> sessions;
    int sessionsKnown = 0;      // how many sessions the gateway knows, shown or not
    bool stoppedAll = false;    // stop-all is on: every new request is refused until resume-all
};
Q_DECLARE_METATYPE(GatewaySnapshot)
