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
    int retryInitialMs = 50;        // first pause after a failed batch; doubles up to retryMaxMs
    int retryMaxMs = 5000;
    int failuresBeforeReport = 3;   // failed attempts in a row before writeFailed is emitted
    int flushTimeoutMs = 30000;     // how long flush() keeps retrying a failing disk before giving up

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
