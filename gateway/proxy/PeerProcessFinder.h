#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QThreadPool>

#include <functional>

// Names the process at the other end of a loopback connection ("python3:12345"), off the gateway
// thread. Finding it means reading /proc/net/tcp and every process's file descriptors, which costs
// milliseconds on a quiet machine and far more with thousands of sockets open; one scan answers
// every lookup that is waiting, so a burst of new connections costs one or two scans, not one each.
class PeerProcessFinder : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const QString &peer)>;

    explicit PeerProcessFinder(QObject *parent = nullptr);
    ~PeerProcessFinder() override;

    // `done` runs on this object's thread with the peer's name, or empty when it can't be told.
    void find(quint16 peerPort, quint16 localPort, Done done);

    // One scan for many connections: local port pairs (peer, ours) -> "name:pid". The processes in
    // `likely` are searched first: an agent opens its connections from the same process again and
    // again, so most scans end there without visiting the rest of /proc.
    static QHash<quint32, QString> scan(const QList<QPair<quint16, quint16>> &connections, const QStringList &likely = {});
    static quint32 pairKey(quint16 peerPort, quint16 localPort) { return (quint32(peerPort) << 16) | localPort; }

private:
    void startScan();
    void scanDone(const QHash<quint32, QString> &found);

    struct Waiting
    {
        quint16 peerPort;
        quint16 localPort;
        Done done;
    };
    QList<Waiting> m_waiting;   // not yet in a scan
    QList<Waiting> m_scanning;  // in the scan running now
    bool m_busy = false;
    QStringList m_likelyPids;   // of recent callers, most recent first
    QThreadPool m_pool;
};
