#include "AdminToken.h"

#include "proxy/CallerIdentity.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
QByteArray randomToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return "tfadm_" + bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
} // namespace

bool AdminToken::loadOrCreate(const QString &dataDir, QString *error)
{
    QDir().mkpath(dataDir);
    m_path = QDir(dataDir).filePath(QStringLiteral("admin.token"));
    QFile file(m_path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("%1: cannot read: %2").arg(m_path, file.errorString());
            return false;
        }
        m_token = file.readAll().trimmed();
        if (m_token.size() < 16) {
            *error = QStringLiteral("%1: the token is shorter than 16 characters; delete the file to get a new one").arg(m_path);
            return false;
        }
        // A token others can read is no secret: tighten what an editor may have loosened.
        ::chmod(QFile::encodeName(m_path).constData(), S_IRUSR | S_IWUSR);
        return true;
    }
    m_token = randomToken();
    // Created 0600 from the start, so there is no moment at which others could read it.
    const int fd = ::open(QFile::encodeName(m_path).constData(), O_WRONLY | O_CREAT | O_EXCL, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        *error = QStringLiteral("%1: cannot create: %2").arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const QByteArray line = m_token + '\n';
    const bool ok = ::write(fd, line.constData(), size_t(line.size())) == line.size();
    ::close(fd);
    if (!ok) {
        *error = QStringLiteral("%1: cannot write").arg(m_path);
        return false;
    }
    return true;
}

bool AdminToken::accepts(const QByteArray &authorizationHeader) const
{
    QByteArray given = authorizationHeader.trimmed();
    if (!given.startsWith("Bearer ") && !given.startsWith("bearer "))
        return false;
    given = given.mid(7).trimmed();
    if (given.size() != m_token.size() || m_token.isEmpty())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given.at(i) ^ m_token.at(i));
    return diff == 0;
}

QString AdminToken::fingerprint() const
{
    return CallerResolver::fingerprint(m_token);
}
