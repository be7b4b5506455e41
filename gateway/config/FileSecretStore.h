#pragma once

#include "SecretStore.h"

#include <QJsonObject>

// Secrets in one JSON file, DATA_DIR/secrets.json ({"version": 1, "secrets": {name: secret}}),
// readable by its owner alone (0600, its folder 0700), created on the first write and replaced
// whole on each write (QSaveFile), so a crash leaves the old file or the new one. Every call reads
// the file afresh: another instance's writes are seen at once. A file that is not such JSON is
// reported, never overwritten (the other secrets in it would be lost).
class FileSecretStore : public SecretStore
{
public:
    explicit FileSecretStore(QString dataDir);

    std::optional<QString> read(const QString &name, QString *error = nullptr) override;
    bool write(const QString &name, const QString &secret, QString *error) override;
    bool remove(const QString &name, QString *error = nullptr) override;
    QString kind() const override { return QStringLiteral("file"); }

    QString path() const;

private:
    // The secrets object; an empty one when there is no file yet; nullopt and *error when unreadable.
    std::optional<QJsonObject> load(QString *error) const;
    bool save(const QJsonObject &secrets, QString *error) const;

    QString m_dataDir;
};
