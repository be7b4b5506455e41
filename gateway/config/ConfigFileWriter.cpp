#include "ConfigFileWriter.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace {
bool save(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write the config file %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write the config file %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}
} // namespace

bool ConfigFileWriter::writeKey(const QString &path, const QString &key, const QJsonValue &value, QString *error,
                                QByteArray *previous)
{
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the config file %1: %2").arg(path, in.errorString());
        return false;
    }
    const QByteArray before = in.readAll();
    in.close();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(before, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("the config file %1 is no longer a JSON object (%2); fix it or remove its \"%3\" key")
                     .arg(path, pe.error != QJsonParseError::NoError ? pe.errorString() : QStringLiteral("not an object"), key);
        return false;
    }
    QJsonObject object = doc.object();
    object.insert(key, value);
    // QSaveFile writes a temporary file beside it and renames it over: the directory must be
    // writable as well as the file, and a read-only file is refused rather than replaced.
    // A file marked read-only is left alone, even by a user (root) whom the system would let write it.
    if (!QFileInfo(path).isWritable() || !(QFile::permissions(path) & QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot write the config file %1: it is read-only").arg(path);
        return false;
    }
    if (!save(path, QJsonDocument(object).toJson(QJsonDocument::Indented), error))
        return false;
    if (previous)
        *previous = before;
    return true;
}

bool ConfigFileWriter::restore(const QString &path, const QByteArray &bytes, QString *error)
{
    return save(path, bytes, error);
}
