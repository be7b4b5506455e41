#include "ConfigWatcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

ConfigWatcher::ConfigWatcher(const QString &path, QObject *parent) : QObject(parent), m_path(QFileInfo(path).absoluteFilePath())
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(200);
    connect(&m_settle, &QTimer::timeout, this, &ConfigWatcher::check);
    const auto poke = [this] {
        rewatch();
        m_settle.start();
    };
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, poke);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, poke);
    QFile f(m_path);
    m_lastExists = f.open(QIODevice::ReadOnly);
    if (m_lastExists)
        m_last = f.readAll();
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    rewatch();
}

void ConfigWatcher::rewatch()
{
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!m_watcher.directories().contains(dir))
        m_watcher.addPath(dir);
    // Replaced by a rename, the file is a new inode: watch it again.
    if (QFileInfo::exists(m_path) && !m_watcher.files().contains(m_path))
        m_watcher.addPath(m_path);
}

void ConfigWatcher::check()
{
    QFile f(m_path);
    const bool exists = f.open(QIODevice::ReadOnly);
    const QByteArray bytes = exists ? f.readAll() : QByteArray();
    if (exists == m_lastExists && bytes == m_last)
        return;
    m_last = bytes;
    m_lastExists = exists;
    Q_EMIT changed(bytes, exists);
}
