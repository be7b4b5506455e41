#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

// Notices when the config file changes on disk: written in place, replaced by an editor's or
// QSaveFile's rename, removed, created. Watches the file and its folder (a rename drops the watch
// on the file), waits until writes have settled, and reports the new bytes only when they differ
// from the last ones seen, so an editor's touch (or a write of the same bytes) reloads nothing. Whoever owns it decides what a change means.
class ConfigWatcher : public QObject
{
    Q_OBJECT
public:
    explicit ConfigWatcher(const QString &path, QObject *parent = nullptr);

    QString path() const { return m_path; }
    // How long writes must have been quiet before the file is read (an editor writes in pieces).
    void setSettleMs(int ms) { m_settle.setInterval(ms); }

Q_SIGNALS:
    // The file now holds `bytes` (different from the last seen). `exists` false: it was removed.
    void changed(const QByteArray &bytes, bool exists);

private:
    void rewatch();
    void check();

    QString m_path;
    QFileSystemWatcher m_watcher;
    QTimer m_settle;
    QByteArray m_last;
    bool m_lastExists = false;
};
