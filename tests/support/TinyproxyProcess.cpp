#include "TinyproxyProcess.h"

#include "TestSupport.h"

#include <QFile>
#include <QTcpSocket>
#include <QTest>

namespace {
const QString kBinary = QStringLiteral("/usr/bin/tinyproxy");
}

TinyproxyProcess::~TinyproxyProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool TinyproxyProcess::isAvailable()
{
    return QFile::exists(kBinary);
}

bool TinyproxyProcess::start(const QStringList &extraConfig, QString *error)
{
    auto failWith = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!m_dir.isValid())
        return failWith(QStringLiteral("no temporary folder for tinyproxy"));
    m_port = TestSupport::freePort();
    QStringList lines{QStringLiteral("Port %1").arg(m_port), QStringLiteral("Listen 127.0.0.1"),
                      QStringLiteral("Timeout 30"), QStringLiteral("MaxClients 100"), QStringLiteral("LogLevel Info")};
    lines += extraConfig;
    const QString configPath = m_dir.filePath(QStringLiteral("tinyproxy.conf"));
    QFile config(configPath);
    if (!config.open(QIODevice::WriteOnly) || config.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n') < 0)
        return failWith(QStringLiteral("can't write %1").arg(configPath));
    config.close();
    // -d: the foreground, logging to its standard output.
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(kBinary, {QStringLiteral("-d"), QStringLiteral("-c"), configPath});
    if (!m_process.waitForStarted(5000))
        return failWith(QStringLiteral("tinyproxy did not start: ") + m_process.errorString());
    // Up when its port accepts a connection (or gone for good when it exits).
    const bool up = QTest::qWaitFor([this] {
        if (m_process.state() == QProcess::NotRunning)
            return true;
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        return probe.waitForConnected(200);
    }, 10000);
    if (!up || m_process.state() == QProcess::NotRunning)
        return failWith(QStringLiteral("tinyproxy did not listen on %1: %2").arg(m_port).arg(QString::fromUtf8(log())));
    return true;
}

QString TinyproxyProcess::url(const QString &userInfo) const
{
    const QString credentials = userInfo.isEmpty() ? QString() : userInfo + QLatin1Char('@');
    return QLatin1String("http://") + credentials + QLatin1String("127.0.0.1:") + QString::number(m_port);
}

QByteArray TinyproxyProcess::log()
{
    m_log += m_process.readAll();
    return m_log;
}

QList<QByteArray> TinyproxyProcess::requestLines()
{
    // "CONNECT   Dec 02 14:12:02.950 [7624]: Request (file descriptor 4): CONNECT localhost:9 HTTP/1.1"
    QList<QByteArray> requests;
    for (const QByteArray &line : log().split('\n')) {
        const qsizetype at = line.indexOf("Request (file descriptor");
        if (at < 0)
            continue;
        const qsizetype colon = line.indexOf("): ", at);
        if (colon >= 0)
            requests.append(line.mid(colon + 3).trimmed());
    }
    return requests;
}
