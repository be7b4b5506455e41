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
// jobs (usage rows with their spend, reservations, audit entries, rules, keys) by group commit.
// Jobs that arrive while a transaction is being written wait and go into the next transaction
// together, whatever their kind, in the order they were queued; so a burst costs a few commits
// while a lone job is committed at once, with no timer in between. A batch that fails for a
// passing reason (disk full, database locked, I/O error) stays queued, in order, and is retried
// with a growing pause. Everything here except batchesCommitted() runs on the writer thread;
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
    // Returns whether the queue is empty.
    bool flush();
    // Finalizes the statements and closes the connection; the thread may end after this.
    void close();

    qint64 queued() const { return qint64(m_queue.size()); }
    // Transactions committed so far; readable from any thread.
    qint64 batchesCommitted() const { return m_batchesCommitted.load(); }

Q_SIGNALS:
    // These jobs are committed; tickets in the order they were enqueued.
    void batchCommitted(const QList<qint64> &tickets);
    // SQLite refused this job itself (a constraint, not the disk): it is dropped, the rest go on.
    void jobRejected(qint64 ticket, const QString &message);
    // Writing has failed StoreOptions::failuresBeforeReport times in a row; jobs stay queued.
    void writeFailed(const QString &message);
    // The first commit after writeFailed.
    void writeRecovered();

private:
    enum class Outcome { Committed, Rejected, Failed };
    struct Pending
    {
        qint64 ticket = 0;
        StoreJob job;
    };

    void scheduleWrite();
    void writePending();
    Outcome writeBatch(QString *error);
    void noteFailure(const QString &error);
    int nextRetryDelay() const;
    void rollback();

    StoreOptions m_options;
    SqliteConnection m_connection;
    std::unique_ptr<StoreStatements> m_statements;
    std::deque<Pending> m_queue;
    qint64 m_jobsEnqueued = 0;
    QTimer *m_retryTimer = nullptr;
    bool m_writeScheduled = false;
    int m_failuresInARow = 0;
    bool m_failureReported = false;
    std::atomic<qint64> m_batchesCommitted{0};
};
