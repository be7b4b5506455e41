#pragma once

#include "StoreJob.h"
#include "StoreOptions.h"
#include "StoreRecords.h"
#include "accounting/UsageRecord.h"

#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>

class QThread;
class StoreCheckpointer;
class StoreWriter;

// The durable store as the gateway sees it: usage rows, budget spend and reservations, budget
// rules, virtual keys and the audit log. Every write hands a job over and returns at once; jobs
// are written to DATA_DIR/tokenfuse.db by a StoreWriter on a thread of its own, by group commit,
// in the order they were handed over, and each job's `committed` callback runs back on this
// object's thread once its transaction is committed, in that same order across all kinds of job.
// Use it from the thread it lives on.
class UsageStore : public QObject
{
    Q_OBJECT
public:
    explicit UsageStore(QObject *parent = nullptr);
    // Writes every job still pending (their callbacks are not run: whatever they point at may be
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

    // Settles reservations left open by an earlier process at their worst case and reads the
    // counters, saved budget rules and virtual keys; see StartupRecovery and docs/storage.md.
    // Blocking: call it once after open(), before the gateway serves and before any other job.
    // Runs on the writer's connection, through a blocking call to the writer thread.
    StoreStartupState recoverAndLoad(qint64 nowMs, QString *error);

    // Holds a request's worst case before it is forwarded; forward only once `committed` runs.
    void reserve(const ReservationRecord &reservation, std::function<void()> committed = {});
    // Stores a finished request in one transaction: its row, its spend added to the counters
    // (negative amounts count as 0), and its reservation (same id) deleted. Spend is counted once
    // per request id: recording an id that is already stored updates the row only.
    void record(const UsageRecord &row, const QList<CounterDelta> &spend, std::function<void()> committed = {});
    // A row with no spend; it still settles a reservation of the same id.
    void record(const UsageRecord &row, std::function<void()> committed = {});
    void audit(const AuditEntry &entry, std::function<void()> committed = {});
    // Replaces every budget rule and marks them saved (they then win over the config file's, even
    // when empty), with the audit entry, in one transaction.
    void saveBudgetRules(const QJsonArray &rules, const AuditEntry &entry, std::function<void()> committed = {});
    // Inserts the key, or updates the one with the same id (revocation sets revokedAt), with the
    // audit entry, in one transaction.
    void saveVirtualKey(const VirtualKeyRecord &key, const AuditEntry &entry, std::function<void()> committed = {});

    // Blocks until everything handed over so far is committed and its callbacks have run, retrying
    // a failing disk for up to StoreOptions::flushTimeoutMs. Returns false if jobs are still pending.
    bool flush();
    // Jobs handed over whose commit has not been acknowledged yet; readable from any thread.
    qint64 pending() const { return m_pending.load(); }
    // Transactions committed so far (tests and metrics: far fewer than jobs under load).
    qint64 batchesCommitted() const;
    // WAL checkpoints run by the checkpointer thread so far (tests and metrics).
    qint64 checkpointsRun() const;

Q_SIGNALS:
    // Writing has failed several times in a row (disk full, database locked, ...). The jobs stay
    // queued and are retried with growing pauses; writeRecovered() follows once a write succeeds.
    // Also emitted when SQLite refuses a single job outright (a constraint, e.g. a virtual key
    // whose hash another key already has): that job is dropped and named, its callback never runs.
    void writeFailed(const QString &message);
    void writeRecovered();

private:
    void onBatchCommitted(const QList<qint64> &tickets);
    void onJobRejected(qint64 ticket, const QString &message);
    void submit(StoreJob job, std::function<void()> committed);
    void stopWriter();

    StoreOptions m_options;
    QString m_databasePath;
    std::unique_ptr<QThread> m_thread;
    StoreWriter *m_writer = nullptr;
    std::unique_ptr<QThread> m_checkpointThread;
    StoreCheckpointer *m_checkpointer = nullptr;
    qint64 m_nextTicket = 0;
    std::map<qint64, std::function<void()>> m_callbacks;
    std::atomic<qint64> m_pending{0};
};
