#pragma once

#include "StoreJob.h"
#include "StoreOptions.h"
#include "StoreOutcome.h"
#include "StoreRecords.h"
#include "accounting/UsageRecord.h"
#include "session/SessionBlock.h"

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
// in the order they were handed over, and each job's callback runs back on this object's thread
// once its transaction is committed, in that same order across all kinds of job.
// When the disk fails (full, I/O error, read-only, locked) callers hear it at once, not when it
// comes back: a usage row's callback says Held (kept in memory, written later), every other job's
// says Refused; writeFailed() and writeRecovered() bracket the outage, and isWritable() tells the
// current state. See docs/storage.md. Use it from the thread it lives on.
class UsageStore : public QObject
{
    Q_OBJECT
public:
    explicit UsageStore(QObject *parent = nullptr);
    // Writes every job still pending, for up to StoreOptions::flushTimeoutMs (their callbacks are
    // not run: whatever they point at may be half destroyed by now; call flush() first to have
    // them), then stops the writer thread.
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
    // counters, saved budget rules, virtual keys and open session blocks; see StartupRecovery and
    // docs/storage.md.
    // Blocking: call it once after open(), before the gateway serves and before any other job.
    // Runs on the writer's connection, through a blocking call to the writer thread.
    StoreStartupState recoverAndLoad(qint64 nowMs, QString *error);

    // Runs exactly once per job, with what became of it.
    using Callback = std::function<void(const StoreOutcome &)>;

    // Holds a request's worst case before it is forwarded; forward only once it is committed.
    void reserve(const ReservationRecord &reservation, Callback done = {});
    // Stores a finished request in one transaction: its row, its spend added to the counters
    // (negative amounts count as 0), and its reservation (same id) deleted. Spend is counted once
    // per request id: recording an id that is already stored updates the row only.
    // While the disk fails, the row is held in memory (StoreOptions::maxHeldRows at most).
    void record(const UsageRecord &row, const QList<CounterDelta> &spend, Callback done = {});
    // A row with no spend; it still settles a reservation of the same id.
    void record(const UsageRecord &row, Callback done = {});
    void audit(const AuditEntry &entry, Callback done = {});
    // Replaces every budget rule and marks them saved (they then win over the config file's, even
    // when empty), with the audit entry, in one transaction.
    void saveBudgetRules(const QJsonArray &rules, const AuditEntry &entry, Callback done = {});
    void saveRateLimits(const QJsonArray &rules, const AuditEntry &entry, Callback done = {});
    // Inserts the key, or updates the one with the same id (revocation sets revokedAt), with the
    // audit entry, in one transaction.
    void saveVirtualKey(const VirtualKeyRecord &key, const AuditEntry &entry, Callback done = {});
    // Inserts the open breaker, or replaces the one with the same scope and target, with the audit
    // entry, in one transaction; an entry with an empty action writes no audit row.
    void saveBlock(const SessionBlock &block, const AuditEntry &entry, Callback done = {});
    // Deletes the breakers with the scopes and targets of `blocks` (their other fields are not
    // looked at; a key not stored is no error), with the audit entry, in one transaction; an entry
    // with an empty action writes no audit row (a cooldown that ran out, say).
    void clearBlocks(const QList<SessionBlock> &blocks, const AuditEntry &entry, Callback done = {});

    // Blocks until everything handed over so far is committed and its callbacks have run, retrying
    // a failing disk for up to StoreOptions::flushTimeoutMs. Returns false if jobs are still pending.
    bool flush();
    // Jobs handed over whose commit has not been acknowledged yet; readable from any thread.
    qint64 pending() const { return m_pending.load(); }
    // Transactions committed so far (tests and metrics: far fewer than jobs under load).
    qint64 batchesCommitted() const;
    // WAL checkpoints run so far, by the checkpointer thread and by the writer between
    // transactions (tests and metrics).
    qint64 checkpointsRun() const;
    // False from writeFailed() until writeRecovered(); failure() says why.
    bool isWritable() const { return m_failure.isEmpty(); }
    QString failure() const { return m_failure; }

Q_SIGNALS:
    // Writing failed (disk full, I/O error, database locked, ...): from now on reservations and
    // settings are refused at once and usage rows are held; the writer keeps probing, and
    // writeRecovered() follows, by itself, once a write succeeds. Once per outage.
    void writeFailed(const QString &message);
    // Writing works again; the message says so, with what was held or lost meanwhile.
    void writeRecovered(const QString &message);
    // One job was dropped while the store itself works: SQLite refused it (a constraint, e.g. a
    // virtual key whose hash another key already has), or the in-memory queue of held rows is
    // full (said once per outage). Its callback hears Refused.
    void jobDropped(const QString &message);

private:
    void onBatchCommitted(const QList<qint64> &tickets);
    void onJobsUnwritten(const QList<qint64> &tickets, bool held, const QString &message);
    void onJobRejected(qint64 ticket, const QString &message);
    void submit(StoreJob job, Callback done);
    void answer(qint64 ticket, const StoreOutcome &outcome);
    void stopWriter();

    StoreOptions m_options;
    QString m_databasePath;
    std::unique_ptr<QThread> m_thread;
    StoreWriter *m_writer = nullptr;
    std::unique_ptr<QThread> m_checkpointThread;
    StoreCheckpointer *m_checkpointer = nullptr;
    qint64 m_nextTicket = 0;
    std::map<qint64, Callback> m_callbacks;
    std::atomic<qint64> m_pending{0};
    QString m_failure;
};
