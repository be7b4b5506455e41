#pragma once

#include "SqliteConnection.h"
#include "StoreJob.h"
#include "StoreOptions.h"

#include <QList>
#include <QObject>

#include <atomic>
#include <deque>
#include <memory>

class QTimer;
class StoreStatements;

// The usage store's worker: lives on its own thread with its own connection and writes queued
// jobs (usage rows with their spend, reservations, audit entries, rules, keys, session blocks) by
// group commit.
// Jobs that arrive while a transaction is being written wait and go into the next transaction
// together, whatever their kind, in the order they were queued; so a burst costs a few commits
// while a lone job is committed at once, with no timer in between.
// When writing fails for a reason outside the job (disk full, I/O error, read-only, locked), the
// writer enters its Failing phase at once and says so: a job whose caller waits for it before
// acting (a reservation, a setting) is refused, there and from then on, so its caller can answer
// at once; a usage row (its request has happened) is held in memory, up to
// StoreOptions::maxHeldRows, and written once the disk works again. Meanwhile the writer probes
// with a growing pause and returns to Writing by itself when a write succeeds.
// A WAL grown past StoreOptions::walCheckpointBytes is checkpointed in two steps: StoreCheckpointer
// copies the bulk on its thread while commits go on (walCopyWanted / walCopied), then the writer,
// between two transactions, copies the rest (RESTART): being the only writer, nothing is appended
// meanwhile, so that checkpoint catches up and the next transaction restarts the WAL from its
// beginning (journal_size_limit then cuts the file back).
// Everything here except batchesCommitted() and checkpointsRun() runs on the writer thread;
// UsageStore drives it.
class StoreWriter : public QObject
{
    Q_OBJECT
public:
    explicit StoreWriter(const StoreOptions &options);
    ~StoreWriter() override;

    // Opens the file, brings the schema up to date and prepares the statements.
    bool open(const QString &path, QString *error);
    void enqueue(qint64 ticket, const StoreJob &job);
    // Settles reservations left open by an earlier process and reads the start-up state; see
    // StartupRecovery. Refuses once any job has been enqueued since open().
    bool recoverAndLoad(qint64 nowMs, StoreStartupState *state, QString *error);
    // Writes everything queued now, retrying failures until StoreOptions::flushTimeoutMs passes.
    // Returns whether the queue is empty; what is left is retried as before.
    bool flush();
    // Finalizes the statements and closes the connection; the thread may end after this.
    void close();

    qint64 queued() const { return qint64(m_queue.size()); }
    // Transactions committed so far; readable from any thread.
    qint64 batchesCommitted() const { return m_batchesCommitted.load(); }
    // WAL checkpoints run between transactions so far; readable from any thread.
    qint64 checkpointsRun() const { return m_checkpoints.load(); }

Q_SIGNALS:
    // These jobs are committed; tickets in the order they were enqueued.
    void batchCommitted(const QList<qint64> &tickets);
    // These jobs are not written now: held (usage rows kept for later) or refused for good.
    void jobsUnwritten(const QList<qint64> &tickets, bool held, const QString &message);
    // SQLite refused this job itself (a constraint, not the disk): it is dropped, the rest go on.
    void jobRejected(qint64 ticket, const QString &message);
    // A usage row could not be held: the in-memory queue is full (said once per outage).
    void heldRowsDropped(const QString &message);
    // Writing failed: the Failing phase begins (once per outage).
    void writeFailed(const QString &message);
    // A write succeeded again; the message says what was held and dropped meanwhile.
    void writeRecovered(const QString &message);
    // The WAL is past the threshold: StoreCheckpointer should copy it now (walCopied() answers).
    void walCopyWanted();

public:
    // StoreCheckpointer has copied the WAL as far as it could: the checkpoint between two
    // transactions that lets the WAL restart now only has the last frames to copy.
    void walCopied();

private:
    enum class Outcome { Committed, Rejected, Failed };
    enum class Phase { Writing, Failing };
    enum class WalStep { Small, CopyAsked, Copied };
    struct Pending
    {
        qint64 ticket = 0;
        StoreJob job;
        bool toldHeld = false; // its caller has already heard that it is held
    };

    void scheduleWrite();
    void writePending();
    Outcome writeBatch(QString *error);
    Outcome probe(QString *error);
    // Phase changes: the one place each happens.
    void enterFailing(const QString &error);
    void enterWriting();
    void holdOrRefuse(Pending pending);
    void checkpointIfLarge();
    void restartWal(qint64 size);
    int nextRetryDelay() const;
    void rollback();

    StoreOptions m_options;
    SqliteConnection m_connection;
    std::unique_ptr<StoreStatements> m_statements;
    std::deque<Pending> m_queue;
    qint64 m_jobsEnqueued = 0;
    QTimer *m_retryTimer = nullptr;
    bool m_writeScheduled = false;
    Phase m_phase = Phase::Writing;
    QString m_failure;           // why the last write failed, while Failing
    int m_failuresInARow = 0;
    qint64 m_heldThisOutage = 0;
    qint64 m_droppedThisOutage = 0;
    QString m_walPath;
    WalStep m_walStep = WalStep::Small;
    qint64 m_nextCheckpointAt = 0; // WAL size that triggers the next checkpoint when one did not catch up
    std::atomic<qint64> m_batchesCommitted{0};
    std::atomic<qint64> m_checkpoints{0};
};
