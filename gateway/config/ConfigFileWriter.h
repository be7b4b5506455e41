#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

// Rewrites one top-level key of the config file (budgets, rate_limits) so a change made through
// the admin API survives a restart instead of being overridden by the file. Every other key is
// kept as parsed JSON; the file is written indented, atomically (QSaveFile), or not at all.
class ConfigFileWriter
{
public:
    // Sets `key` to `value` in the JSON object at `path`. On failure the file is unchanged and
    // *error says why. *previous (if given) receives the file's bytes before the write.
    static bool writeKey(const QString &path, const QString &key, const QJsonValue &value, QString *error,
                         QByteArray *previous = nullptr);
    // Puts back bytes taken by writeKey (a change the store then refused).
    static bool restore(const QString &path, const QByteArray &bytes, QString *error);
};
