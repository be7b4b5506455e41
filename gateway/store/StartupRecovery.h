#pragma once

#include "StoreRecords.h"
#include "accounting/UsageRecord.h"

#include <QString>

class SqliteConnection;
class StoreStatements;

// Start-up, before the gateway serves: settles every reservation left open by a process that
// ended without settling it (a crash, kill -9, power loss) at its worst case, and reads what the
// gateway needs (counters, saved budget rules, virtual keys, open session blocks), all in one
// transaction.
//
// A reservation still open here belongs to a request whose outcome is unknown: it may have been
// forwarded and billed by the provider. Its holds are added to the counters as spent and a row
// with error 'interrupted' is stored for it, so a crash never hands budget back.
class StartupRecovery
{
public:
    // Runs on the writer's connection and statements, with nothing else in flight on them.
    static bool run(SqliteConnection &connection, StoreStatements &statements, qint64 nowMs,
                    StoreStartupState *state, QString *error);

    // The row stored for a reservation settled here; the error column says 'interrupted'.
    static UsageRecord interruptedRow(const ReservationRecord &reservation, qint64 nowMs);
    static QString interruptedError() { return QStringLiteral("interrupted"); }
};
