#include "StoreCheckpointer.h"

#include <QTimer>

StoreCheckpointer::StoreCheckpointer(const StoreOptions &options)
    : m_options(options), m_connection(QStringLiteral("checkpointer"))
{
}

StoreCheckpointer::~StoreCheckpointer()
{
    close();
}

bool StoreCheckpointer::open(const QString &path, int intervalMs, QString *error)
{
    if (!m_connection.open(path, SqliteConnection::Mode::ReadWrite, m_options, error))
        return false;
    QString ignored;
    m_connection.exec(QStringLiteral("PRAGMA wal_autocheckpoint = 0"), &ignored);
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &StoreCheckpointer::checkpoint);
    m_timer->start(intervalMs);
    return true;
}

void StoreCheckpointer::checkpoint()
{
    QString ignored; // a busy checkpoint simply comes again on the next tick
    if (m_connection.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"), &ignored))
        ++m_checkpoints;
}

void StoreCheckpointer::close()
{
    if (m_timer) {
        m_timer->stop();
        delete m_timer;
        m_timer = nullptr;
    }
    if (m_connection.isOpen()) {
        checkpoint();
        m_connection.close();
    }
}
