#include "FileSecretStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOwnerOnlyDir = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}
} // namespace

FileSecretStore::FileSecretStore(QString dataDir)
    : m_dataDir(std::move(dataDir))
{
}

QString FileSecretStore::path() const
{
    return m_dataDir + QStringLiteral("/secrets.json");
}

std::optional<QJsonObject> FileSecretStore::load(QString *error) const
{
    QFile f(path());
    if (!f.exists())
        return QJsonObject();
    if (!f.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("%1: cannot read: %2").arg(path(), f.errorString()));
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    const QJsonValue secrets = doc.object().value(QLatin1String("secrets"));
    if (pe.error != QJsonParseError::NoError || !doc.isObject() || !(secrets.isObject() || secrets.isUndefined())) {
        // The parser's message only: the bytes themselves may be a secret.
        setError(error, QStringLiteral("%1 is damaged (%2); fix or remove it, then set its keys again")
                            .arg(path(), pe.error != QJsonParseError::NoError ? pe.errorString() : QStringLiteral("not a secrets object")));
        return std::nullopt;
    }
    return secrets.toObject();
}

bool FileSecretStore::save(const QJsonObject &secrets, QString *error) const
{
    if (!QDir().mkpath(m_dataDir)) {
        setError(error, QStringLiteral("cannot create %1").arg(m_dataDir));
        return false;
    }
    // The folder holds the keys' file: nobody else may list or enter it.
    QFile::setPermissions(m_dataDir, kOwnerOnlyDir);
    QSaveFile f(path());
    if (!f.open(QIODevice::WriteOnly)) {
        setError(error, QStringLiteral("%1: cannot write: %2").arg(path(), f.errorString()));
        return false;
    }
    // Before the first byte: the temporary file is renamed into place with this mode.
    f.setPermissions(kOwnerOnly);
    f.write(QJsonDocument(QJsonObject{{"version", 1}, {"secrets", secrets}}).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        setError(error, QStringLiteral("%1: cannot write: %2").arg(path(), f.errorString()));
        return false;
    }
    return true;
}

std::optional<QString> FileSecretStore::read(const QString &name, QString *error)
{
    setError(error, QString());
    const std::optional<QJsonObject> secrets = load(error);
    if (!secrets)
        return std::nullopt;
    const QJsonValue v = secrets->value(name);
    if (!v.isString())
        return std::nullopt;
    return v.toString();
}

bool FileSecretStore::write(const QString &name, const QString &secret, QString *error)
{
    if (name.trimmed().isEmpty()) {
        setError(error, QStringLiteral("a secret needs a name"));
        return false;
    }
    std::optional<QJsonObject> secrets = load(error);
    if (!secrets)
        return false;
    secrets->insert(name, secret);
    return save(*secrets, error);
}

bool FileSecretStore::remove(const QString &name, QString *error)
{
    if (!QFileInfo::exists(path()))
        return true;
    std::optional<QJsonObject> secrets = load(error);
    if (!secrets)
        return false;
    if (!secrets->contains(name))
        return true;
    secrets->remove(name);
    return save(*secrets, error);
}
