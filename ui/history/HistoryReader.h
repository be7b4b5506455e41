#pragma once

#include "history/HistoryQuery.h"

#include <QMutex>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QThread;

// Reads usage series for the History page off the GUI thread: lives on a thread of its own with
// its own read-only UsageQuery connection, opened on that thread at the first query (and again
// when the path changes). submit() may be called from any thread; only the newest query not yet
// started is kept, so fast clicking never queues up reads. Answers leave by answered(), copyable
// values, queued to whoever listens. Make it with start(); the pointer's deleter closes the
// connection on the reader's thread, quits and waits for the thread, then deletes both.
class HistoryReader : public QObject
{
    Q_OBJECT
public:
    struct Stop
    {
        void operator()(HistoryReader *reader) const;
    };
    using Owner = std::unique_ptr<HistoryReader, Stop>;

    // A reader running on a new thread, reading `databasePath` (may be set later).
    static Owner start(const QString &databasePath = QString());

    // Thread-safe. Takes effect at the next query.
    void setDatabasePath(const QString &path);
    // Thread-safe. Replaces a query submitted earlier that has not started yet (it is never answered).
    void submit(const HistoryQuery &query);
    // Queries run so far (on the reader's thread); for tests.
    int queriesRun() const;

Q_SIGNALS:
    void answered(const HistoryResult &result);

private:
    HistoryReader();
    ~HistoryReader() override;
    void runPending();
    void close();

    mutable QMutex m_mutex;  // guards the three below
    QString m_path;
    std::optional<HistoryQuery> m_pending;
    int m_runs = 0;

    // Reader's thread only.
    std::unique_ptr<UsageQuery> m_query;
    QString m_openPath;
};
