#pragma once

#include "SqliteConnection.h"
#include "StoreOptions.h"
#include "accounting/UsageRecord.h"

#include <QList>
#include <QObject>
#include <QSqlQuery>

#include <atomic>
#include <deque>
#include <memory>

class QTimer;

// The usage store's worker: lives on its own thread with its own connection and writes queued
// rows to `requests` by group commit. Rows that arrive while a transaction is being written wait
// and go into the next transaction together, so a burst costs a few commits while a lone row is
// committed at once, with no timer in between. A batch that fails for a passing reason (disk full,
// database locked, I/O error) stays queued, in order, and is retried with a growing pause.
// Everything here except batchesCommitted() runs on the writer thread; UsageStore drives it.
class StoreWriter : public QObject
{
    Q_OBJECT
public:
    explicit StoreWriter(const StoreOptions &options);
    ~StoreWriter() override;

    // Opens the file, brings the schema up to date and prepares the insert statement.
    bool open(const QString &path, QString *error);
    void enqueue(qint64 ticket, const UsageRecord &row);
    // Writes everything queued now, retrying failures until StoreOptions::flushTimeoutMs passes.
    // Returns whether the queue is empty.
    bool flush();
    // Finalizes the statement and closes the connection; the thread may end after this.
    void close();

    qint64 queued() const { return qint64(m_queue.size()); }
    // Transactions committed so far; readable from any thread.
    qint64 batchesCommitted() const { return m_batchesCommitted.load(); }

Q_SIGNALS:
    // These rows are committed; tickets in the order they were enqueued.
    void batchCommitted(const QList<qint64> &tickets);
    // SQLite refused this row itself (a constraint, not the disk): it is dropped, the rest go on.
    void rowRejected(qint64 ticket, const QString &message);
    // Writing has failed StoreOptions::failuresBeforeReport times in a row; rows stay queued.
    void writeFailed(const QString &message);
    // The first commit after writeFailed.
    void writeRecovered();

private:
    enum class Outcome { Committed, Rejected, Failed };
    struct Pending
    {
        qint64 ticket = 0;
        UsageRecord row;
    };

    void scheduleWrite();
    void writePending();
    Outcome writeBatch(QString *error);
    void noteFailure(const QString &error);
    int nextRetryDelay() const;
    void rollback();

    StoreOptions m_options;
    SqliteConnection m_connection;
    std::unique_ptr<QSqlQuery> m_insert;
    std::deque<Pending> m_queue;
    QTimer *m_retryTimer = nullptr;
    bool m_writeScheduled = false;
    int m_failuresInARow = 0;
    bool m_failureReported = false;
    std::atomic<qint64> m_batchesCommitted{0};
};
