#include "SqliteConnection.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <atomic>

namespace {
std::atomic<quint64> s_connectionCounter{0};
}

SqliteConnection::SqliteConnection(const QString &purpose)
    : m_name(QStringLiteral("tokenfuse-%1-%2").arg(purpose).arg(++s_connectionCounter))
{
}

SqliteConnection::~SqliteConnection()
{
    close();
}

bool SqliteConnection::open(const QString &path, Mode mode, const StoreOptions &options, QString *error)
{
    close();
    m_path = path;
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        *error = QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed, so %1 cannot be opened").arg(path);
        return false;
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    m_db.setDatabaseName(path);
    QString connectOptions = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs);
    if (mode == Mode::ReadOnly)
        connectOptions += QLatin1String(";QSQLITE_OPEN_READONLY");
    m_db.setConnectOptions(connectOptions);
    if (!m_db.open()) {
        *error = describe(QStringLiteral("cannot open"), m_db.lastError());
        close();
        return false;
    }

    // The first statement is also the first read of the file, so a file that is not a database
    // fails here with SQLite's "file is not a database".
    const bool ok = [&] {
        if (!exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(options.busyTimeoutMs), error))
            return false;
        if (mode == Mode::ReadOnly)
            return exec(QStringLiteral("PRAGMA query_only = ON"), error);
        QVariant journal;
        if (!exec(QStringLiteral("PRAGMA journal_mode = WAL"), error, &journal))
            return false;
        if (journal.toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
            *error = QStringLiteral("%1: SQLite refused WAL mode (journal_mode is %2)").arg(m_path, journal.toString());
            return false;
        }
        const QString synchronous = options.durability == StoreOptions::Durability::Power ? QStringLiteral("FULL")
                                                                                          : QStringLiteral("NORMAL");
        return exec(QStringLiteral("PRAGMA synchronous = %1").arg(synchronous), error)
            && exec(QStringLiteral("PRAGMA foreign_keys = ON"), error);
    }();
    if (!ok) {
        close();
        return false;
    }
    return true;
}

void SqliteConnection::close()
{
    if (!m_db.isValid())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

bool SqliteConnection::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

bool SqliteConnection::exec(const QString &sql, QString *error, QVariant *value)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql)) {
        *error = describe(sql, query.lastError());
        return false;
    }
    if (value)
        *value = query.next() ? query.value(0) : QVariant();
    return true;
}

QString SqliteConnection::describe(const QString &what, const QSqlError &error) const
{
    QString text = error.databaseText();
    if (text.isEmpty())
        text = error.text();
    return QStringLiteral("%1: %2: %3").arg(m_path, what, text);
}
