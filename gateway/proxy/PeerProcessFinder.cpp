#include "PeerProcessFinder.h"

#include <QDir>
#include <QFile>
#include <QSet>

#include <unistd.h>

PeerProcessFinder::PeerProcessFinder(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
}

PeerProcessFinder::~PeerProcessFinder()
{
    // A scan still running posts its result to this object; wait, so that event is discarded with
    // the object instead of arriving at a dangling one.
    m_pool.waitForDone();
}

void PeerProcessFinder::find(quint16 peerPort, quint16 localPort, Done done)
{
    m_waiting.append({peerPort, localPort, std::move(done)});
    if (!m_busy)
        startScan();
}

void PeerProcessFinder::startScan()
{
    m_busy = true;
    m_scanning = std::exchange(m_waiting, {});
    QList<QPair<quint16, quint16>> ports;
    for (const Waiting &w : std::as_const(m_scanning))
        ports.append({w.peerPort, w.localPort});
    m_pool.start([this, ports, likely = m_likelyPids] {
        const QHash<quint32, QString> found = scan(ports, likely);
        QMetaObject::invokeMethod(this, [this, found] { scanDone(found); }, Qt::QueuedConnection);
    });
}

void PeerProcessFinder::scanDone(const QHash<quint32, QString> &found)
{
    const QList<Waiting> answered = std::exchange(m_scanning, {});
    m_busy = false;
    for (const QString &peer : found) {
        const QString pid = peer.section(QLatin1Char(':'), -1);
        m_likelyPids.removeAll(pid);
        m_likelyPids.prepend(pid);
    }
    while (m_likelyPids.size() > 16)
        m_likelyPids.removeLast();
    if (!m_waiting.isEmpty())
        startScan();
    for (const Waiting &w : answered)
        w.done(found.value(pairKey(w.peerPort, w.localPort)));
}

QHash<quint32, QString> PeerProcessFinder::scan(const QList<QPair<quint16, quint16>> &connections, const QStringList &likely)
{
    QHash<quint32, QString> result;
#ifdef Q_OS_LINUX
    // Socket inode of each connection, from the kernel's TCP tables.
    QHash<QByteArray, quint32> byInode;
    QHash<QByteArray, quint32> wanted; // "PEERHEX:LOCALHEX" -> pair key
    for (const auto &[peer, local] : connections)
        wanted.insert(QByteArray::number(peer, 16).toUpper().rightJustified(4, '0') + ':'
                          + QByteArray::number(local, 16).toUpper().rightJustified(4, '0'),
                      pairKey(peer, local));
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine();
        while (!f.atEnd() && byInode.size() < wanted.size()) {
            const QList<QByteArray> cols = f.readLine().simplified().split(' ');
            if (cols.size() < 10)
                continue;
            const QByteArray key = cols.at(1).mid(cols.at(1).lastIndexOf(':') + 1) + ':'
                + cols.at(2).mid(cols.at(2).lastIndexOf(':') + 1);
            const auto it = wanted.constFind(key);
            if (it != wanted.constEnd() && cols.at(9) != "0")
                byInode.insert("socket:[" + cols.at(9) + ']', *it);
        }
    }
    if (byInode.isEmpty())
        return result;
    // Which process holds each inode. Our own descriptors last: the gateway holds thousands of
    // sockets of its own, and its callers are almost always other processes.
    const QString self = QString::number(::getpid());
    QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    pids.removeAll(self);
    for (auto it = likely.crbegin(); it != likely.crend(); ++it) {
        if (*it != self && pids.removeAll(*it) > 0)
            pids.prepend(*it);
    }
    pids.append(self);
    char link[64];
    for (const QString &pid : std::as_const(pids)) {
        if (!pid.at(0).isDigit())
            continue;
        const QByteArray fdDir = "/proc/" + pid.toLatin1() + "/fd/";
        const QStringList fds = QDir(QString::fromLatin1(fdDir)).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
        for (const QString &fd : fds) {
            const ssize_t n = ::readlink((fdDir + fd.toLatin1()).constData(), link, sizeof link);
            if (n <= 0 || link[0] != 's')
                continue;
            const auto it = byInode.constFind(QByteArray(link, int(n)));
            if (it == byInode.constEnd())
                continue;
            QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
            const QString name = comm.open(QIODevice::ReadOnly) ? QString::fromUtf8(comm.readAll()).trimmed() : QStringLiteral("pid");
            result.insert(*it, name + QLatin1Char(':') + pid);
            byInode.erase(it);
            if (byInode.isEmpty())
                return result;
        }
    }
#else
    Q_UNUSED(connections)
#endif
    return result;
}
