#include "StoreWriter.h"

#include "StartupRecovery.h"
#include "StoreSchema.h"
#include "StoreStatements.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSqlError>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace {

// SQLite result codes that say the row itself is unacceptable, so writing it again can't help.
// Anything else (BUSY, LOCKED, FULL, IOERR, READONLY, ...) is about the environment and passes.
bool isRowError(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    if (!ok)
        return false;
    switch (code & 0xff) {
    case 18: // SQLITE_TOOBIG
    case 19: // SQLITE_CONSTRAINT, including RAISE(ABORT) in a trigger
    case 20: // SQLITE_MISMATCH
        return true;
    default:
        return false;
    }
}

} // namespace

StoreWriter::StoreWriter(const StoreOptions &options)
    : m_options(options)
    , m_connection(QStringLiteral("usage-writer"))
    , m_retryTimer(new QTimer(this))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &StoreWriter::writePending);
}

StoreWriter::~StoreWriter()
{
    m_statements.reset();
}

bool StoreWriter::open(const QString &path, QString *error)
{
    if (!m_connection.open(path, SqliteConnection::Mode::ReadWrite, m_options, error))
        return false;
    if (!StoreSchema::migrate(m_connection, error)) {
        m_connection.close();
        return false;
    }
    // Checkpoints are StoreCheckpointer's, on its own thread: none inside a commit.
    QString ignored;
    m_connection.exec(QStringLiteral("PRAGMA wal_autocheckpoint = 0"), &ignored);
    m_statements = std::make_unique<StoreStatements>(m_connection);
    if (!m_statements->prepare(error)) {
        m_statements.reset();
        m_connection.close();
        return false;
    }
    return true;
}

void StoreWriter::enqueue(qint64 ticket, const StoreJob &job)
{
    m_queue.push_back(Pending{ticket, job});
    ++m_jobsEnqueued;
    scheduleWrite();
}

bool StoreWriter::recoverAndLoad(qint64 nowMs, StoreStartupState *state, QString *error)
{
    if (!m_statements) {
        *error = QStringLiteral("the usage store is not open");
        return false;
    }
    if (m_jobsEnqueued > 0) {
        // A reservation of this process, committed or queued, must not be mistaken for a leftover.
        *error = QStringLiteral("%1: start-up recovery must run before anything is written (%2 writes came first)")
                     .arg(m_connection.path()).arg(m_jobsEnqueued);
        return false;
    }
    return StartupRecovery::run(m_connection, *m_statements, nowMs, state, error);
}

void StoreWriter::scheduleWrite()
{
    if (m_writeScheduled || m_retryTimer->isActive())
        return;
    m_writeScheduled = true;
    // Queued behind every row already posted to this thread: those join this batch. Rows posted
    // while it is being written are queued behind it and form the next one.
    QMetaObject::invokeMethod(this, &StoreWriter::writePending, Qt::QueuedConnection);
}

void StoreWriter::writePending()
{
    m_writeScheduled = false;
    if (m_queue.empty() || !m_statements)
        return;
    QString error;
    switch (writeBatch(&error)) {
    case Outcome::Committed:
    case Outcome::Rejected:
        if (!m_queue.empty())
            scheduleWrite();
        break;
    case Outcome::Failed:
        noteFailure(error);
        m_retryTimer->start(nextRetryDelay());
        break;
    }
}

bool StoreWriter::flush()
{
    m_retryTimer->stop();
    m_writeScheduled = false;
    if (!m_statements)
        return m_queue.empty();
    QElapsedTimer clock;
    clock.start();
    while (!m_queue.empty()) {
        QString error;
        if (writeBatch(&error) != Outcome::Failed)
            continue;
        noteFailure(error);
        const int delay = nextRetryDelay();
        if (clock.elapsed() + delay > m_options.flushTimeoutMs) {
            // Keep the rows: normal retrying goes on if the store keeps running.
            m_retryTimer->start(delay);
            return false;
        }
        // The caller is blocked in flush() anyway; sleeping here keeps the retry loop simple.
        QThread::msleep(ulong(delay));
    }
    return true;
}

void StoreWriter::close()
{
    m_retryTimer->stop();
    m_statements.reset();
    if (m_connection.isOpen()) {
        QString ignored; // SQLite's advice for long-lived connections: refresh planner statistics.
        m_connection.exec(QStringLiteral("PRAGMA optimize"), &ignored);
    }
    m_connection.close();
}

StoreWriter::Outcome StoreWriter::writeBatch(QString *error)
{
    const size_t count = std::min(m_queue.size(), size_t(std::max(1, m_options.maxBatchRows)));
    // IMMEDIATE takes the write lock up front: a busy database fails here, before any job's work.
    if (!m_connection.exec(QStringLiteral("BEGIN IMMEDIATE"), error)) {
        rollback(); // in case an earlier failed COMMIT left a transaction open
        return Outcome::Failed;
    }
    // One clock reading per transaction: every counter touched by it shows the same updated_at.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (size_t i = 0; i < count; ++i) {
        QSqlError sqlError;
        if (m_statements->write(m_queue[i].job, now, &sqlError))
            continue;
        rollback();
        if (isRowError(sqlError)) {
            const Pending rejected = m_queue[i];
            m_queue.erase(m_queue.begin() + qsizetype(i));
            Q_EMIT jobRejected(rejected.ticket, m_connection.describe(
                QStringLiteral("%1 was refused and not stored").arg(describeJob(rejected.job)), sqlError));
            return Outcome::Rejected;
        }
        *error = m_connection.describe(QStringLiteral("writing to the store"), sqlError);
        return Outcome::Failed;
    }
    m_statements->finish();
    if (!m_connection.exec(QStringLiteral("COMMIT"), error)) {
        rollback();
        return Outcome::Failed;
    }

    QList<qint64> tickets;
    tickets.reserve(qsizetype(count));
    for (size_t i = 0; i < count; ++i)
        tickets.append(m_queue[i].ticket);
    m_queue.erase(m_queue.begin(), m_queue.begin() + qsizetype(count));
    ++m_batchesCommitted;
    m_failuresInARow = 0;
    Q_EMIT batchCommitted(tickets);
    if (m_failureReported) {
        m_failureReported = false;
        Q_EMIT writeRecovered();
    }
    return Outcome::Committed;
}

void StoreWriter::noteFailure(const QString &error)
{
    ++m_failuresInARow;
    if (m_failuresInARow >= m_options.failuresBeforeReport && !m_failureReported) {
        m_failureReported = true;
        Q_EMIT writeFailed(QStringLiteral("%1 (%2 writes waiting, still retrying)").arg(error).arg(m_queue.size()));
    }
}

int StoreWriter::nextRetryDelay() const
{
    qint64 delay = std::max(1, m_options.retryInitialMs);
    for (int i = 1; i < m_failuresInARow && delay < m_options.retryMaxMs; ++i)
        delay *= 2;
    return int(std::min<qint64>(delay, m_options.retryMaxMs));
}

void StoreWriter::rollback()
{
    if (m_statements)
        m_statements->finish();
    QString ignored; // ROLLBACK fails harmlessly when SQLite already rolled back on its own.
    m_connection.exec(QStringLiteral("ROLLBACK"), &ignored);
}
