#pragma once

#include <QByteArray>
#include <QString>

// The admin API's bearer token, kept in DATA_DIR/admin.token (mode 0600, made on first start).
// Anyone who can read that file can administer this TokenFuse; nobody else can.
class AdminToken
{
public:
    // Reads the token, creating the file with a fresh random token when there is none.
    bool loadOrCreate(const QString &dataDir, QString *error);
    QString path() const { return m_path; }
    const QByteArray &token() const { return m_token; }
    // Whether an Authorization header carries this token; compares in constant time.
    bool accepts(const QByteArray &authorizationHeader) const;
    // A short non-secret name for the token, for the audit log.
    QString fingerprint() const;

private:
    QString m_path;
    QByteArray m_token;
};
