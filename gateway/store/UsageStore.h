#pragma once

#include "StoreOptions.h"
#include "accounting/UsageRecord.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>

class QThread;
class StoreWriter;

// The durable usage store as the gateway sees it: record() hands a row over and returns at once;
// the row is written to DATA_DIR/tokenfuse.db by a StoreWriter on a thread of its own, and the
// row's `committed` callback runs back on this object's thread once its transaction is committed.
// Use it from the thread it lives on.
class UsageStore : public QObject
{
    Q_OBJECT
public:
    explicit UsageStore(QObject *parent = nullptr);
    // Writes every row still pending (their callbacks are not run: whatever they point at may be
    // half destroyed by now; call flush() first to have them), then stops the writer thread.
    ~UsageStore() override;

    // Before open(); see StoreOptions.
    void setOptions(const StoreOptions &options) { m_options = options; }
    StoreOptions options() const { return m_options; }

    // Creates the directory and the file if missing and brings the schema up to date, all before
    // returning. Fails on a file written by a newer TokenFuse, saying so in *error.
    bool open(const QString &dataDir, QString *error);
    bool isOpen() const { return m_writer != nullptr; }
    QString databasePath() const { return m_databasePath; }
    static QString databasePathIn(const QString &dataDir);

    // Queues a row and returns without waiting. `committed` runs on this thread once the row's
    // transaction has committed; callbacks run in the order the rows were recorded.
    void record(const UsageRecord &row, std::function<void()> committed = {});
    // Blocks until everything recorded so far is committed and its callbacks have run, retrying a
    // failing disk for up to StoreOptions::flushTimeoutMs. Returns false if rows are still pending.
    bool flush();
    // Rows recorded whose commit has not been acknowledged yet; readable from any thread.
    qint64 pending() const { return m_pending.load(); }
    // Transactions committed so far (tests and metrics: far fewer than rows under load).
    qint64 batchesCommitted() const;

Q_SIGNALS:
    // Writing has failed several times in a row (disk full, database locked, ...). The rows stay
    // queued and are retried with growing pauses; writeRecovered() follows once a write succeeds.
    // Also emitted when SQLite refuses a single row outright: that row is dropped and named.
    void writeFailed(const QString &message);
    void writeRecovered();

private:
    void onBatchCommitted(const QList<qint64> &tickets);
    void onRowRejected(qint64 ticket, const QString &message);
    void stopWriter();

    StoreOptions m_options;
    QString m_databasePath;
    std::unique_ptr<QThread> m_thread;
    StoreWriter *m_writer = nullptr;
    qint64 m_nextTicket = 0;
    std::map<qint64, std::function<void()>> m_callbacks;
    std::atomic<qint64> m_pending{0};
};
