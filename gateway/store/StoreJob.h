#pragma once

#include "StoreRecords.h"
#include "accounting/UsageRecord.h"
#include "session/SessionBlock.h"

#include <QJsonArray>
#include <QList>
#include <QString>

#include <variant>

// The kinds of work the store's writer does, as copyable values queued from UsageStore. Each job
// is written whole inside one transaction; a transaction may hold jobs of several kinds, in the
// order they were queued.
namespace StoreJobs {

// A request forwarded only after this commits.
struct Reserve
{
    ReservationRecord reservation;
};

// A finished request: its row, the spend it adds to counters, and its reservation settled.
struct Record
{
    UsageRecord row;
    QList<CounterDelta> spend;
};

struct Audit
{
    AuditEntry entry;
};

// Replaces every budget rule; the audit entry says who did it.
struct SaveRules
{
    QJsonArray rules;
    AuditEntry entry;
};

// Replaces the rate limit rules (the whole "rate_limits" array) with the audit entry.
struct SaveRateLimits
{
    QJsonArray rules;
    AuditEntry entry;
};

struct SaveKey
{
    VirtualKeyRecord key;
    AuditEntry entry;
};

// Stores an open breaker (replacing the one with the same scope and target) with its audit entry;
// an entry with an empty action writes no audit row.
struct SaveBlock
{
    SessionBlock block;
    AuditEntry entry;
};

// Deletes the breakers with these scopes and targets with the audit entry; an entry with an empty
// action writes no audit row (a cooldown that ran out, audited elsewhere or not at all).
struct ClearBlocks
{
    QList<SessionBlock> blocks;
    AuditEntry entry;
};

// For messages a user reads: "usage row req-1", "virtual key vk_2", ...
inline QString describe(const Reserve &job) { return QStringLiteral("reservation %1").arg(job.reservation.requestId); }
inline QString describe(const Record &job) { return QStringLiteral("usage row %1").arg(job.row.id); }
inline QString describe(const Audit &job) { return QStringLiteral("audit entry %1 %2").arg(job.entry.action, job.entry.target); }
inline QString describe(const SaveRules &job) { return QStringLiteral("budget rules (%1 rules)").arg(job.rules.size()); }
inline QString describe(const SaveRateLimits &job) { return QStringLiteral("rate limits (%1 rules)").arg(job.rules.size()); }
inline QString describe(const SaveKey &job) { return QStringLiteral("virtual key %1").arg(job.key.id); }
inline QString describe(const SaveBlock &job)
{
    return QStringLiteral("session block %1 %2").arg(SessionBlock::scopeName(job.block.scope), job.block.target).trimmed();
}
inline QString describe(const ClearBlocks &job) { return QStringLiteral("clearing %1 session blocks").arg(job.blocks.size()); }

} // namespace StoreJobs

using StoreJob = std::variant<StoreJobs::Reserve, StoreJobs::Record, StoreJobs::Audit, StoreJobs::SaveRules,
                              StoreJobs::SaveKey, StoreJobs::SaveBlock, StoreJobs::ClearBlocks, StoreJobs::SaveRateLimits>;

inline QString describeJob(const StoreJob &job)
{
    return std::visit([](const auto &j) { return StoreJobs::describe(j); }, job);
}
