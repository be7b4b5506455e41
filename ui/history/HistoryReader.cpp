#include "HistoryReader.h"

#include <QMutexLocker>
#include <QThread>

HistoryReader::HistoryReader() = default;

HistoryReader::~HistoryReader() = default;

HistoryReader::Owner HistoryReader::start(const QString &databasePath)
{
    qRegisterMetaType<HistoryResult>();
    auto *thread = new QThread;
    thread->setObjectName(QStringLiteral("tokenfuse-history"));
    Owner reader(new HistoryReader);
    reader->m_path = databasePath;
    reader->moveToThread(thread);
    thread->start();
    return reader;
}

void HistoryReader::Stop::operator()(HistoryReader *reader) const
{
    QThread *thread = reader->thread();
    // The connection belongs to the reader's thread: closed there, before the thread ends.
    QMetaObject::invokeMethod(reader, [reader] { reader->close(); }, Qt::BlockingQueuedConnection);
    thread->quit();
    thread->wait();
    // The thread has ended, so nothing can run on the reader any more; deleting it here is safe.
    delete reader;
    delete thread;
}

void HistoryReader::setDatabasePath(const QString &path)
{
    QMutexLocker lock(&m_mutex);
    m_path = path;
}

void HistoryReader::submit(const HistoryQuery &query)
{
    QMutexLocker lock(&m_mutex);
    const bool wakeUp = !m_pending.has_value();
    m_pending = query;
    // One wake-up in the reader's queue at most: it runs whatever is pending when it gets there.
    if (wakeUp)
        QMetaObject::invokeMethod(this, &HistoryReader::runPending, Qt::QueuedConnection);
}

int HistoryReader::queriesRun() const
{
    QMutexLocker lock(&m_mutex);
    return m_runs;
}

void HistoryReader::runPending()
{
    HistoryQuery query;
    QString path;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_pending)
            return;
        query = *m_pending;
        m_pending.reset();
        path = m_path;
        ++m_runs;
    }
    HistoryResult result;
    result.query = query;
    if (path.isEmpty()) {
        result.error = tr("The gateway has not said where its usage database is yet.");
        Q_EMIT answered(result);
        return;
    }
    if (!m_query || path != m_openPath) {
        close();
        m_query = std::make_unique<UsageQuery>();
        QString error;
        if (!m_query->open(path, &error)) {
            m_query.reset();
            result.error = error;
            Q_EMIT answered(result);
            return;
        }
        m_openPath = path;
    }
    result.rows = m_query->series(query.fromMs, query.toMs, query.bucket, query.split, query.topKeys);
    result.error = m_query->lastError();
    Q_EMIT answered(result);
}

void HistoryReader::close()
{
    m_query.reset();
    m_openPath.clear();
}
