#pragma once

#include "StoreOptions.h"

#include <QSqlDatabase>
#include <QString>

class QSqlError;

// One named QSqlDatabase connection to a TokenFuse SQLite file, configured the TokenFuse way (WAL,
// synchronous by durability, busy timeout, foreign keys). Qt keeps connections in a process-wide
// registry keyed by name and allows a connection only on the thread that opened it, so every
// instance gets a name of its own and removes it again when it is destroyed: several stores,
// writers and readers can live in one process, each on its own thread.
class SqliteConnection
{
public:
    enum class Mode { ReadWrite, ReadOnly };

    // purpose shows up in the connection name, which helps when Qt warns about one.
    explicit SqliteConnection(const QString &purpose);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    // ReadWrite creates the file if missing and switches it to WAL; ReadOnly needs an existing file.
    bool open(const QString &path, Mode mode, const StoreOptions &options, QString *error);
    // Every QSqlQuery made on this connection must be gone before close() (Qt's rule).
    void close();
    bool isOpen() const;

    QSqlDatabase &database() { return m_db; }
    QString name() const { return m_name; }
    QString path() const { return m_path; }

    // Runs one statement that returns nothing or a single value; for pragmas and DDL.
    bool exec(const QString &sql, QString *error, QVariant *value = nullptr);

    // "what failed: driver text" with the path, for messages a user reads.
    QString describe(const QString &what, const QSqlError &error) const;

private:
    QString m_name;
    QString m_path;
    QSqlDatabase m_db;
};
