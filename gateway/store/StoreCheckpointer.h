#pragma once

#include "SqliteConnection.h"
#include "StoreOptions.h"

#include <QObject>

#include <atomic>

class QTimer;

// Moves the WAL's pages into the database file from a thread and connection of its own. SQLite's
// automatic checkpoint would run inside the writer's commit every ~1,000 WAL pages and spend
// milliseconds in fsync there, and every response waiting for its row would wait with it; the
// writer turns that off and this object checkpoints PASSIVE (never blocking the writer) on a timer,
// and when the writer finds the WAL large: it then finishes the checkpoint itself (StoreWriter).
class StoreCheckpointer : public QObject
{
    Q_OBJECT
public:
    explicit StoreCheckpointer(const StoreOptions &options);
    ~StoreCheckpointer() override;

    bool open(const QString &path, int intervalMs, QString *error);
    void close();
    // Checkpoints run so far; readable from any thread.
    qint64 checkpointsRun() const { return m_checkpoints.load(); }
    // One PASSIVE checkpoint now (the timer's, and when the writer asks for one).
    void checkpoint();

private:
    StoreOptions m_options;
    SqliteConnection m_connection;
    QTimer *m_timer = nullptr;
    std::atomic<qint64> m_checkpoints{0};
};
