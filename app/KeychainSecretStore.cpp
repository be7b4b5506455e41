#include "KeychainSecretStore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace {
const QString kService = QStringLiteral("TokenFuse");

// Runs a job, waiting at most timeoutMs. nullopt: no answer in time (the job, auto-deleted, may
// still finish later and then deletes itself); else its error code.
std::optional<QKeychain::Error> runBounded(QKeychain::Job *job, int timeoutMs)
{
    QEventLoop loop;
    std::optional<QKeychain::Error> result;
    // The loop is the context: once this function returns, a late answer reaches nothing.
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&](QKeychain::Job *done) {
        result = done->error();
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    job->setAutoDelete(true);
    job->start();
    loop.exec();
    return result;
}
} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &dataDir, int timeoutMs)
    : m_file(dataDir)
    , m_timeoutMs(timeoutMs)
{
}

QString KeychainSecretStore::kind() const
{
    return m_keychainDown ? m_file.kind() : QStringLiteral("keychain");
}

KeychainSecretStore::Answer KeychainSecretStore::readKeychain(const QString &name, QString *secret)
{
    // Without an application there is no event loop to wait in: the file it is.
    if (m_keychainDown || !QCoreApplication::instance()) {
        m_keychainDown = true;
        return Answer::Unavailable;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService);
    job->setKey(name);
    QString text;
    QObject::connect(job, &QKeychain::Job::finished, job, [job, &text] { text = job->textData(); });
    const std::optional<QKeychain::Error> error = runBounded(job, m_timeoutMs);
    if (error == QKeychain::NoError) {
        *secret = text;
        return Answer::Done;
    }
    if (error == QKeychain::EntryNotFound)
        return Answer::NotFound;
    m_keychainDown = true;
    return Answer::Unavailable;
}

KeychainSecretStore::Answer KeychainSecretStore::writeKeychain(const QString &name, const QString &secret)
{
    if (m_keychainDown || !QCoreApplication::instance()) {
        m_keychainDown = true;
        return Answer::Unavailable;
    }
    auto *job = new QKeychain::WritePasswordJob(kService);
    job->setKey(name);
    job->setTextData(secret);
    if (runBounded(job, m_timeoutMs) == QKeychain::NoError)
        return Answer::Done;
    m_keychainDown = true;
    return Answer::Unavailable;
}

KeychainSecretStore::Answer KeychainSecretStore::removeKeychain(const QString &name)
{
    if (m_keychainDown || !QCoreApplication::instance()) {
        m_keychainDown = true;
        return Answer::Unavailable;
    }
    auto *job = new QKeychain::DeletePasswordJob(kService);
    job->setKey(name);
    const std::optional<QKeychain::Error> error = runBounded(job, m_timeoutMs);
    if (error == QKeychain::NoError)
        return Answer::Done;
    if (error == QKeychain::EntryNotFound)
        return Answer::NotFound;
    m_keychainDown = true;
    return Answer::Unavailable;
}

std::optional<QString> KeychainSecretStore::read(const QString &name, QString *error)
{
    QString secret;
    if (readKeychain(name, &secret) == Answer::Done) {
        if (error)
            error->clear();
        return secret;
    }
    return m_file.read(name, error);
}

bool KeychainSecretStore::write(const QString &name, const QString &secret, QString *error)
{
    if (name.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("a secret needs a name");
        return false;
    }
    if (writeKeychain(name, secret) == Answer::Done) {
        // An older copy kept in the file while the keychain was away would only go stale there.
        m_file.remove(name);
        return true;
    }
    return m_file.write(name, secret, error);
}

bool KeychainSecretStore::remove(const QString &name, QString *error)
{
    removeKeychain(name);
    // The file may hold it too (written while the keychain was away): it goes there as well.
    return m_file.remove(name, error);
}
