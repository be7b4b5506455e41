#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

// A real HTTP proxy for tests: /usr/bin/tinyproxy in the foreground on a free port of 127.0.0.1,
// its config generated in a temporary folder, its log (level Info) read back to tell what went
// through it. Stopped when destroyed.
class TinyproxyProcess
{
public:
    TinyproxyProcess() = default;
    ~TinyproxyProcess();
    TinyproxyProcess(const TinyproxyProcess &) = delete;
    TinyproxyProcess &operator=(const TinyproxyProcess &) = delete;

    static bool isAvailable();
    // Starts it with the config lines given besides port, address and log level ("BasicAuth user
    // pass", "ConnectPort 443"; with no ConnectPort line CONNECT goes to any port) and waits until
    // its port accepts. False with `error` set when it does not come up.
    bool start(const QStringList &extraConfig = {}, QString *error = nullptr);
    quint16 port() const { return m_port; }
    // "http://127.0.0.1:PORT", or with "user:pass@" when given.
    QString url(const QString &userInfo = {}) const;
    // Everything it logged so far.
    QByteArray log();
    // The request lines it read ("CONNECT localhost:4433 HTTP/1.1", "POST http://... HTTP/1.1").
    QList<QByteArray> requestLines();

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_log;
    quint16 m_port = 0;
};
