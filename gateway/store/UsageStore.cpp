#include "UsageStore.h"

#include "StoreCheckpointer.h"
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
        qCritical("TokenFuse: %lld writes (usage rows, reservations, settings) could not be written to %s and are lost",
                  left, qPrintable(m_databasePath));
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
    m_checkpointThread = std::make_unique<QThread>();
    m_checkpointThread->setObjectName(QStringLiteral("TokenFuse store checkpoints"));
    m_checkpointer = new StoreCheckpointer(m_options);
    m_checkpointer->moveToThread(m_checkpointThread.get());
    m_checkpointThread->start();
    QMetaObject::invokeMethod(m_checkpointer, [&] { ok = m_checkpointer->open(m_databasePath, 1000, &openError); },
                              Qt::BlockingQueuedConnection);
    if (!ok) {
        *error = openError;
        stopWriter();
        return false;
    }
    connect(m_writer, &StoreWriter::batchCommitted, this, &UsageStore::onBatchCommitted, Qt::QueuedConnection);
    // The writer asks the checkpointer to copy a large WAL, then finishes the checkpoint itself.
    connect(m_writer, &StoreWriter::walCopyWanted, m_checkpointer, [checkpointer = m_checkpointer, writer = m_writer] {
        checkpointer->checkpoint();
        QMetaObject::invokeMethod(writer, &StoreWriter::walCopied, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::jobsUnwritten, this, &UsageStore::onJobsUnwritten, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::jobRejected, this, &UsageStore::onJobRejected, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::heldRowsDropped, this, &UsageStore::jobDropped, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::writeFailed, this, [this](const QString &message) {
        m_failure = message;
        Q_EMIT writeFailed(message);
    }, Qt::QueuedConnection);
    connect(m_writer, &StoreWriter::writeRecovered, this, [this](const QString &message) {
        m_failure.clear();
        Q_EMIT writeRecovered(message);
    }, Qt::QueuedConnection);
    return true;
}

StoreStartupState UsageStore::recoverAndLoad(qint64 nowMs, QString *error)
{
    StoreStartupState state;
    if (!m_writer) {
        *error = QStringLiteral("the usage store is not open");
        return state;
    }
    bool ok = false;
    QString recoverError;
    QMetaObject::invokeMethod(m_writer, [&] { ok = m_writer->recoverAndLoad(nowMs, &state, &recoverError); },
                              Qt::BlockingQueuedConnection);
    if (!ok)
        *error = recoverError;
    return state;
}

void UsageStore::reserve(const ReservationRecord &reservation, Callback done)
{
    submit(StoreJobs::Reserve{reservation}, std::move(done));
}

void UsageStore::record(const UsageRecord &row, const QList<CounterDelta> &spend, Callback done)
{
    submit(StoreJobs::Record{row, spend}, std::move(done));
}

void UsageStore::record(const UsageRecord &row, Callback done)
{
    submit(StoreJobs::Record{row, {}}, std::move(done));
}

void UsageStore::audit(const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::Audit{entry}, std::move(done));
}

void UsageStore::saveBudgetRules(const QJsonArray &rules, const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::SaveRules{rules, entry}, std::move(done));
}

void UsageStore::saveRateLimits(const QJsonArray &rules, const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::SaveRateLimits{rules, entry}, std::move(done));
}

void UsageStore::saveVirtualKey(const VirtualKeyRecord &key, const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::SaveKey{key, entry}, std::move(done));
}

void UsageStore::saveBlock(const SessionBlock &block, const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::SaveBlock{block, entry}, std::move(done));
}

void UsageStore::clearBlocks(const QList<SessionBlock> &blocks, const AuditEntry &entry, Callback done)
{
    submit(StoreJobs::ClearBlocks{blocks, entry}, std::move(done));
}

void UsageStore::submit(StoreJob job, Callback done)
{
    if (!m_writer) {
        const QString message = QStringLiteral("the usage store is not open: %1 was not stored").arg(describeJob(job));
        Q_EMIT jobDropped(message);
        if (done) // queued like every other answer: callers never hear back inside their own call
            QMetaObject::invokeMethod(this, [done = std::move(done), message] {
                done(StoreOutcome{StoreOutcome::Status::Refused, message});
            }, Qt::QueuedConnection);
        return;
    }
    const qint64 ticket = ++m_nextTicket;
    if (done)
        m_callbacks.emplace(ticket, std::move(done));
    ++m_pending;
    StoreWriter *writer = m_writer;
    QMetaObject::invokeMethod(writer, [writer, ticket, job = std::move(job)] { writer->enqueue(ticket, job); },
                              Qt::QueuedConnection);
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
    for (qint64 ticket : tickets)
        answer(ticket, StoreOutcome{StoreOutcome::Status::Committed, QString()});
}

void UsageStore::onJobsUnwritten(const QList<qint64> &tickets, bool held, const QString &message)
{
    // A held row stays pending until it is written (it is still in the writer's queue).
    if (!held)
        m_pending -= tickets.size();
    for (qint64 ticket : tickets)
        answer(ticket, StoreOutcome{held ? StoreOutcome::Status::Held : StoreOutcome::Status::Refused, message});
}

void UsageStore::onJobRejected(qint64 ticket, const QString &message)
{
    --m_pending;
    answer(ticket, StoreOutcome{StoreOutcome::Status::Refused, message});
    Q_EMIT jobDropped(message);
}

void UsageStore::answer(qint64 ticket, const StoreOutcome &outcome)
{
    auto it = m_callbacks.find(ticket);
    if (it == m_callbacks.end())
        return; // no callback, or a held row's caller has heard already
    // Taken out before it runs: a callback may record() or flush() again.
    Callback callback = std::move(it->second);
    m_callbacks.erase(it);
    callback(outcome);
}

qint64 UsageStore::checkpointsRun() const
{
    return (m_checkpointer ? m_checkpointer->checkpointsRun() : 0) + (m_writer ? m_writer->checkpointsRun() : 0);
}

void UsageStore::stopWriter()
{
    if (m_checkpointer) {
        QMetaObject::invokeMethod(m_checkpointer, [c = m_checkpointer] { c->close(); }, Qt::BlockingQueuedConnection);
        m_checkpointThread->quit();
        m_checkpointThread->wait();
        delete m_checkpointer;
        m_checkpointer = nullptr;
        m_checkpointThread.reset();
    }
    QMetaObject::invokeMethod(m_writer, [writer = m_writer] { writer->close(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    // The thread has ended, so nothing can run on the writer any more; deleting it here is safe.
    delete m_writer;
    m_writer = nullptr;
    m_thread.reset();
}
