#pragma once

#include <QString>

#include <optional>

// Where provider keys are kept outside the config file ("api_key_secret": the entry's name here).
// FileSecretStore keeps them in DATA_DIR/secrets.json; the app's KeychainSecretStore in the
// desktop's keychain, falling back to the file. No implementation ever logs a secret.
class SecretStore
{
public:
    virtual ~SecretStore() = default;

    // The secret, or nullopt when there is none or it cannot be read; then *error (when given)
    // says why, and stays empty when the entry is simply absent.
    virtual std::optional<QString> read(const QString &name, QString *error = nullptr) = 0;
    virtual bool write(const QString &name, const QString &secret, QString *error) = 0;
    // True when the entry is gone afterwards (also when there was none).
    virtual bool remove(const QString &name, QString *error = nullptr) = 0;
    // "file" or "keychain": where secrets go now.
    virtual QString kind() const = 0;
};
