#pragma once

#include <QString>

// What became of one job handed to UsageStore, as its callback hears it. Every job's callback
// runs exactly once, with one of these.
struct StoreOutcome
{
    enum class Status {
        Committed, // on disk
        Held,      // usage rows only: the disk is failing, so the row is kept in memory and written when it comes back
        Refused,   // not stored and never will be: the disk is failing, or SQLite refused the job itself
    };

    Status status = Status::Committed;
    QString error; // why, when not committed; a sentence for a user

    bool committed() const { return status == Status::Committed; }
};
