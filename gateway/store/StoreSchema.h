#pragma once

#include <QList>
#include <QString>

class SqliteConnection;

// The shape of tokenfuse.db over time: an ordered list of migration steps and the runner that
// brings a file up to date when it is opened. PRAGMA user_version holds the version a file is at
// (it lives in the file header, so setting it is part of the step's transaction);
// table schema_migrations keeps a readable history of when each step ran.
//
// Adding a step: write one function `bool stepN(SqliteConnection &, QString *error)` in
// StoreSchema.cpp and append {N, "what it adds", &stepN} to the list. Never edit a released step.
class StoreSchema
{
public:
    struct Migration
    {
        int version = 0;        // the version the file is at once this step has run; 1, 2, 3, ...
        QString summary;
        bool (*apply)(SqliteConnection &connection, QString *error) = nullptr;
    };

    // The built-in steps, in order.
    static const QList<Migration> &migrations();
    static int latestVersion();

    // Runs every step above the file's version, each in its own transaction. Refuses a file whose
    // version is newer than the last step given (written by a newer TokenFuse).
    static bool migrate(SqliteConnection &connection, QString *error);
    static bool migrate(SqliteConnection &connection, const QList<Migration> &steps, QString *error);

    // The file's PRAGMA user_version, or -1 with *error set.
    static int version(SqliteConnection &connection, QString *error);
    // The message for a file written by a newer TokenFuse; shared with the read-only side.
    static QString newerVersionMessage(const QString &path, int fileVersion, int knownVersion);
};
