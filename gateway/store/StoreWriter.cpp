#include "StoreWriter.h"

#include "StartupRecovery.h"
#include "StoreSchema.h"
#include "StoreStatements.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlError>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace {

// How long a checkpoint between transactions waits for readers; the writer waits with it.
constexpr int kCheckpointWaitMs = 50;
// ... and how long once the WAL has grown past four times its threshold because readers kept the
// short waits from finishing: a stall of the writer is better than a WAL that keeps growing.
constexpr int kCheckpointLongWaitMs = 500;

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
    // No checkpoint inside a commit (every caller waiting for it would wait for the fsyncs too):
    // they run between transactions here (checkpointIfLarge) and on StoreCheckpointer's thread.
    // journal_size_limit cuts a WAL file that grew past the threshold back when the WAL restarts.
    QString ignored;
    m_connection.exec(QStringLiteral("PRAGMA wal_autocheckpoint = 0"), &ignored);
    m_connection.exec(QStringLiteral("PRAGMA journal_size_limit = %1").arg(m_options.walCheckpointBytes), &ignored);
    m_walPath = path + QStringLiteral("-wal");
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
    ++m_jobsEnqueued;
    if (m_phase == Phase::Failing) {
        holdOrRefuse(Pending{ticket, job});
        return;
    }
    m_queue.push_back(Pending{ticket, job});
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
    if (!m_statements || (m_queue.empty() && m_phase == Phase::Writing))
        return;
    QString error;
    // While Failing with nothing held, a write of its own tells whether the disk works again.
    const Outcome outcome = m_queue.empty() ? probe(&error) : writeBatch(&error);
    switch (outcome) {
    case Outcome::Committed:
        enterWriting();
        checkpointIfLarge();
        [[fallthrough]];
    case Outcome::Rejected:
        if (!m_queue.empty())
            scheduleWrite();
        break;
    case Outcome::Failed:
        enterFailing(error);
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
        const Outcome outcome = writeBatch(&error);
        if (outcome == Outcome::Committed)
            enterWriting();
        if (outcome != Outcome::Failed)
            continue;
        enterFailing(error);
        const int delay = nextRetryDelay();
        if (clock.elapsed() + delay > m_options.flushTimeoutMs) {
            // Keep the rows: normal retrying goes on if the store keeps running.
            m_retryTimer->start(delay);
            return false;
        }
        // The caller is blocked in flush() anyway; sleeping here keeps the retry loop simple.
        QThread::msleep(ulong(delay));
    }
    if (m_phase == Phase::Failing)
        m_retryTimer->start(nextRetryDelay()); // keep probing
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
    Q_EMIT batchCommitted(tickets);
    return Outcome::Committed;
}

StoreWriter::Outcome StoreWriter::probe(QString *error)
{
    // A row written and deleted again in one transaction: its pages still go to the WAL at commit,
    // so this needs what a real write needs, and leaves nothing behind.
    const bool ok = m_connection.exec(QStringLiteral("BEGIN IMMEDIATE"), error)
        && m_connection.exec(QStringLiteral("INSERT OR REPLACE INTO settings (key, value) VALUES ('tokenfuse.write_probe', '%1')")
                                 .arg(QDateTime::currentMSecsSinceEpoch()), error)
        && m_connection.exec(QStringLiteral("DELETE FROM settings WHERE key = 'tokenfuse.write_probe'"), error)
        && m_connection.exec(QStringLiteral("COMMIT"), error);
    if (ok)
        return Outcome::Committed;
    rollback();
    return Outcome::Failed;
}

void StoreWriter::enterFailing(const QString &error)
{
    ++m_failuresInARow;
    m_failure = error;
    if (m_phase == Phase::Writing) {
        m_phase = Phase::Failing;
        m_heldThisOutage = 0;
        m_droppedThisOutage = 0;
        Q_EMIT writeFailed(error);
    }
    // Whoever waits for a job before acting hears now; usage rows stay, in order, up to the bound.
    std::deque<Pending> queued;
    queued.swap(m_queue);
    for (Pending &pending : queued)
        holdOrRefuse(std::move(pending));
}

void StoreWriter::enterWriting()
{
    m_failuresInARow = 0;
    if (m_phase == Phase::Writing)
        return;
    m_phase = Phase::Writing;
    m_failure.clear();
    QString message = QStringLiteral("writing to %1 works again").arg(m_connection.path());
    if (m_heldThisOutage > 0)
        message += QStringLiteral("; %1 usage rows held in memory meanwhile are being written").arg(m_heldThisOutage);
    if (m_droppedThisOutage > 0)
        message += QStringLiteral("; %1 usage rows could not be held and are lost").arg(m_droppedThisOutage);
    Q_EMIT writeRecovered(message);
}

void StoreWriter::holdOrRefuse(Pending pending)
{
    if (!std::holds_alternative<StoreJobs::Record>(pending.job)) {
        Q_EMIT jobsUnwritten({pending.ticket}, false,
                             QStringLiteral("%1 was not stored: %2").arg(describeJob(pending.job), m_failure));
        return;
    }
    if (qsizetype(m_queue.size()) >= qsizetype(std::max(0, m_options.maxHeldRows))) {
        if (m_droppedThisOutage++ == 0)
            Q_EMIT heldRowsDropped(QStringLiteral("%1 usage rows are held in memory while %2 cannot be written; "
                                                  "rows beyond that are lost (counted, and said when writing works again)")
                                       .arg(m_queue.size()).arg(m_connection.path()));
        Q_EMIT jobsUnwritten({pending.ticket}, false,
                             QStringLiteral("%1 was lost: the store cannot write (%2) and holds no more rows")
                                 .arg(describeJob(pending.job), m_failure));
        return;
    }
    if (!pending.toldHeld) {
        pending.toldHeld = true;
        ++m_heldThisOutage;
        Q_EMIT jobsUnwritten({pending.ticket}, true,
                             QStringLiteral("%1 is held in memory until the store can write again: %2")
                                 .arg(describeJob(pending.job), m_failure));
    }
    m_queue.push_back(std::move(pending));
}

void StoreWriter::checkpointIfLarge()
{
    const qint64 size = QFileInfo(m_walPath).size();
    if (size <= m_options.walCheckpointBytes) {
        m_walStep = WalStep::Small;
        m_nextCheckpointAt = 0;
        return;
    }
    // A checkpoint a reader kept from finishing is tried again only after the WAL has grown a bit,
    // not after every transaction.
    if (size < m_nextCheckpointAt)
        return;
    switch (m_walStep) {
    case WalStep::Small:
        // The bulk of the copying and its fsync happen on the checkpointer's thread, while this
        // one goes on committing.
        m_walStep = WalStep::CopyAsked;
        Q_EMIT walCopyWanted();
        return;
    case WalStep::CopyAsked:
        if (size <= 2 * m_options.walCheckpointBytes)
            return; // the checkpointer is at it
        break;      // too slow: copy here
    case WalStep::Copied:
        break;
    }
    restartWal(size);
}

void StoreWriter::walCopied()
{
    if (m_walStep != WalStep::CopyAsked)
        return;
    m_walStep = WalStep::Copied;
    if (m_queue.empty() && !m_writeScheduled)
        checkpointIfLarge(); // idle: nothing else will come by here soon
}

void StoreWriter::restartWal(qint64 size)
{
    // RESTART: copy what is left, then wait for readers still on an older snapshot to finish, so
    // the next transaction starts the WAL over. PASSIVE alone loses that race to any reader that
    // happens to be reading at the next commit. The console's reads are short: wait a little only.
    QString ignored; // a checkpoint that did not finish is tried again later; the rows are committed either way
    const int waitMs = size > 4 * m_options.walCheckpointBytes ? kCheckpointLongWaitMs : kCheckpointWaitMs;
    m_connection.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(waitMs), &ignored);
    if (m_connection.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)"), &ignored))
        ++m_checkpoints;
    m_connection.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(m_options.busyTimeoutMs), &ignored);
    m_walStep = WalStep::Small;
    m_nextCheckpointAt = size + m_options.walCheckpointBytes / 2;
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
