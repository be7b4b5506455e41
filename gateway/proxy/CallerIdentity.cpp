#include "CallerIdentity.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

QString CallerResolver::fingerprint(const QByteArray &key)
{
    if (key.isEmpty())
        return {};
    return QStringLiteral("sha256:") + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(12));
}

CallerIdentity CallerResolver::resolve(const HttpRequest &request)
{
    CallerIdentity id;
    QByteArray key = request.headers.value("x-api-key");
    if (key.isEmpty()) {
        const QByteArray auth = request.headers.value("authorization");
        if (auth.startsWith("Bearer ") || auth.startsWith("bearer "))
            key = auth.mid(7).trimmed();
    }
    id.clientKey = key;
    id.keyFingerprint = fingerprint(key);
    id.tenant = QString::fromUtf8(request.headers.value("x-tenant-id")).trimmed();
    if (id.tenant.isEmpty())
        id.tenant = QStringLiteral("default");
    id.session = QString::fromUtf8(request.headers.value("x-session-id")).trimmed();
    if (id.session.isEmpty() && request.peerAddress.isLoopback()) {
        if (QString *cached = m_peerByConnection.object(request.connectionId)) {
            id.session = *cached;
        } else {
            id.session = peerProcess(request.peerPort, request.localPort);
            m_peerByConnection.insert(request.connectionId, new QString(id.session));
        }
    }
    if (id.session.isEmpty())
        id.session = id.tenant;
    return id;
}

namespace {
// The socket inode of the TCP connection from local port `from` to local port `to`, from /proc/net.
QByteArray socketInode(quint16 from, quint16 to)
{
    const QByteArray fromHex = QByteArray::number(from, 16).toUpper().rightJustified(4, '0');
    const QByteArray toHex = QByteArray::number(to, 16).toUpper().rightJustified(4, '0');
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine(); // header
        while (!f.atEnd()) {
            const QList<QByteArray> cols = f.readLine().simplified().split(' ');
            if (cols.size() < 10)
                continue;
            if (cols.at(1).endsWith(':' + fromHex) && cols.at(2).endsWith(':' + toHex))
                return cols.at(9);
        }
    }
    return {};
}
} // namespace

QString CallerResolver::peerProcess(quint16 peerPort, quint16 localPort)
{
#ifdef Q_OS_LINUX
    const QByteArray inode = socketInode(peerPort, localPort);
    if (inode.isEmpty() || inode == "0")
        return {};
    const QByteArray target = "socket:[" + inode + ']';
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric)
            continue;
        const QByteArray fdDir = "/proc/" + pid.toLatin1() + "/fd/";
        const QDir fds(QString::fromLatin1(fdDir));
        for (const QString &fd : fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
            char link[64];
            const ssize_t n = ::readlink((fdDir + fd.toLatin1()).constData(), link, sizeof link);
            if (n != target.size() || target != QByteArray(link, int(n)))
                continue;
            QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
            const QString name = comm.open(QIODevice::ReadOnly) ? QString::fromUtf8(comm.readAll()).trimmed() : QStringLiteral("pid");
            return name + QLatin1Char(':') + pid;
        }
    }
#else
    Q_UNUSED(peerPort)
    Q_UNUSED(localPort)
#endif
    return {};
}
