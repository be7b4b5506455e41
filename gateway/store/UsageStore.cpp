#include "UsageStore.h"

#include "StoreWriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

UsageStore::UsageStore(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<UsageRecord>();
    qRegisterMetaType<QList<qint64>>();
}

UsageStore::~UsageStore()
{
    if (!m_writer)
        return;
    m_callbacks.clear();
    disconnect(m_writer, nullptr, this, nullptr);
    bool flushed = false;
    qint64 left = 0;
    QMetaObject::invokeMethod(m_writer, [&] {
        flushed = m_writer->flush();
        left = m_writer->queued();
    }, Qt::BlockingQueuedConnection);
    if (!flushed)
        qCritical("TokenFuse: %lld usage rows could not be written to %s and are lost", left, qPrintable(m_databasePath));
    stopWriter();
}

QString UsageStore::databasePathIn(const QString &dataDir)
{
    return QDir(dataDir).absoluteFilePath(QStringLiteral("tokenfuse.db"));
}

bool UsageStore::open(const QString &dataDir, QString *error)
{
    if (m_writer) {
        *error = QStringLiteral("the usage store is already open at %1").arg(m_databasePath);
        return false;
    }
    if (!QDir().mkpath(dataDir)) {
        *error = QStringLiteral("cannot create the data directory %1").arg(QDir(dataDir).absolutePath());
        return false;
    }
    m_databasePath = databasePathIn(dataDir);
    if (!QFileInfo::exists(m_databasePath)) {
        // Usage rows name tenants, sessions and key fingerprints: keep them to this user from the
        // start. An empty file is a valid empty database, and SQLite gives the -wal and -shm files
        // the permissions of the database file.
        QFile file(m_databasePath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)
            || !file.setPermissions(QFile::ReadOwner | QFile::WriteOwner)) {
            *error = QStringLiteral("cannot create %1: %2").arg(m_databasePath, file.errorString());
            return false;
        }
    }

    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("TokenFuse usage store"));
    m_writer = new StoreWriter(m_options);
    m_writer->moveToThread(m_thread.get());
    m_thread->start();

    bool ok = false;
    QString openError;
    QMetaObject::invokeMethod(m_writer, [&] { ok = m_writer->open(m_databasePath, &openError); },
                              Qt::BlockingQueuedConnection);
    if (!ok) {
        *error = openError;
        stopWriter();
        return false;
    }
    connect(m_writer, &StoreWriter::batchCommitted, this, &UsageStore::onBatchCommitted, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::rowRejected, this, &UsageStore::onRowRejected, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::writeFailed, this, &UsageStore::writeFailed, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::writeRecovered, this, &UsageStore::writeRecovered, Qt::QueuedConnection);
    return true;
}

void UsageStore::record(const UsageRecord &row, std::function<void()> committed)
{
    if (!m_writer) {
        Q_EMIT writeFailed(QStringLiteral("the usage store is not open: usage row %1 was not stored").arg(row.id));
        return;
    }
    const qint64 ticket = ++m_nextTicket;
    if (committed)
        m_callbacks.emplace(ticket, std::move(committed));
    ++m_pending;
    StoreWriter *writer = m_writer;
    QMetaObject::invokeMethod(writer, [writer, ticket, row] { writer->enqueue(ticket, row); }, Qt::QueuedConnection);
}

bool UsageStore::flush()
{
    if (!m_writer)
        return true;
    bool flushed = false;
    QMetaObject::invokeMethod(m_writer, [&] { flushed = m_writer->flush(); }, Qt::BlockingQueuedConnection);
    // The writer's acknowledgements are posted to this thread by now; deliver them before returning.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    return flushed;
}

qint64 UsageStore::batchesCommitted() const
{
    return m_writer ? m_writer->batchesCommitted() : 0;
}

void UsageStore::onBatchCommitted(const QList<qint64> &tickets)
{
    m_pending -= tickets.size();
    for (qint64 ticket : tickets) {
        auto it = m_callbacks.find(ticket);
        if (it == m_callbacks.end())
            continue;
        // Taken out before it runs: a callback may record() or flush() again.
        std::function<void()> callback = std::move(it->second);
        m_callbacks.erase(it);
        callback();
    }
}

void UsageStore::onRowRejected(qint64 ticket, const QString &message)
{
    --m_pending;
    m_callbacks.erase(ticket);
    Q_EMIT writeFailed(message);
}

void UsageStore::stopWriter()
{
    QMetaObject::invokeMethod(m_writer, [writer = m_writer] { writer->close(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    // The thread has ended, so nothing can run on the writer any more; deleting it here is safe.
    delete m_writer;
    m_writer = nullptr;
    m_thread.reset();
}
