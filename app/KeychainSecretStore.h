#pragma once

#include "config/FileSecretStore.h"

// Provider keys in the desktop's keychain (Secret Service, KWallet; QtKeychain), service
// "TokenFuse". Each call waits at most `timeoutMs` (a local event loop), so a keychain that never
// answers costs one wait, not a hung start: once it has failed to answer, or there is none (no
// D-Bus secret service, as on a server), every call goes to the FileSecretStore over the same data
// dir for the rest of the process. A name the keychain lacks is looked up in the file too, where
// it was kept while the keychain was away.
class KeychainSecretStore : public SecretStore
{
public:
    explicit KeychainSecretStore(const QString &dataDir, int timeoutMs = 2'000);

    std::optional<QString> read(const QString &name, QString *error = nullptr) override;
    bool write(const QString &name, const QString &secret, QString *error) override;
    bool remove(const QString &name, QString *error = nullptr) override;
    QString kind() const override;

private:
    enum class Answer { Done, NotFound, Unavailable };
    Answer readKeychain(const QString &name, QString *secret);
    Answer writeKeychain(const QString &name, const QString &secret);
    Answer removeKeychain(const QString &name);

    FileSecretStore m_file;
    int m_timeoutMs;
    bool m_keychainDown = false;
};
