#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

// The small readers every part of the config file shares: each reads one key of an object when it
// is there, leaves the default when it is not, and on a wrong value says "<where>.<key> must ...".
// `where` is the path of the object in the file ("config", "upstreams[2].breaker").
namespace ConfigJson {
// Sets *error and returns false, so a reader can `return fail(error, ...)`.
bool fail(QString *error, const QString &message);
bool readInt(const QJsonObject &o, const char *key, const QString &where, int min, int *out, QString *error);
bool readMs(const QJsonObject &o, const char *key, const QString &where, qint64 min, qint64 *out, QString *error);
bool readNumber(const QJsonObject &o, const char *key, const QString &where, double min, double max, double *out, QString *error);
bool readString(const QJsonObject &o, const char *key, const QString &where, QString *out, QString *error);
bool readBool(const QJsonObject &o, const char *key, const QString &where, bool *out, QString *error);
// Non-empty strings, trimmed, appended to *out. The first form is a top-level key ("config.<key>").
bool readStringList(const QJsonObject &o, const char *key, QStringList *out, QString *error);
bool readStringList(const QJsonObject &o, const char *key, const QString &where, QStringList *out, QString *error);
// Refuses the first key not in `known`, naming it and the known ones.
bool checkKeys(const QJsonObject &o, const QString &where, const QStringList &known, QString *error);
} // namespace ConfigJson
