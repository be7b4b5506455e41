#pragma once

#include <QString>
#include <QStringView>

#include <optional>

// How the usage store trades safety against speed and how patiently it retries; a copyable value
// set before UsageStore::open(). The defaults are what the gateway uses.
struct StoreOptions
{
    // Process: a committed row survives the TokenFuse process being killed, even with kill -9,
    // because it sits in the WAL file in the OS page cache (synchronous=NORMAL). An OS crash or
    // power loss may lose the last moments of commits.
    // Power: every commit is also fsync'ed to the disk (synchronous=FULL), so it survives power
    // loss too, at the price of one fsync per batch.
    enum class Durability { Process, Power };

    Durability durability = Durability::Process;
    int busyTimeoutMs = 5000;       // how long SQLite waits for a lock held by another connection
    int maxBatchRows = 1000;        // upper bound of jobs (rows, reservations, ...) per transaction (keeps each commit short)
    int retryInitialMs = 50;        // first pause after a failed write; doubles up to retryMaxMs
    int retryMaxMs = 1000;          // so a disk that works again is noticed within a second
    int flushTimeoutMs = 3000;      // how long flush() (and so shutdown) keeps retrying a failing disk before giving up
    int maxHeldRows = 10000;        // usage rows of forwarded requests kept in memory while the disk fails
    // Past this size the writer checkpoints the WAL between two transactions, so it can restart
    // from its beginning; a WAL file larger than this is also cut back to it when it restarts.
    qint64 walCheckpointBytes = 4 * 1024 * 1024;

    // The config spelling: "process" or "power".
    static std::optional<Durability> durabilityFromString(QStringView text)
    {
        if (text == QLatin1String("process"))
            return Durability::Process;
        if (text == QLatin1String("power"))
            return Durability::Power;
        return std::nullopt;
    }

    static QString durabilityName(Durability durability)
    {
        return durability == Durability::Power ? QStringLiteral("power") : QStringLiteral("process");
    }
};
