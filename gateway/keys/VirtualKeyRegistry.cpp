#include "VirtualKeyRegistry.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <algorithm>

namespace {
QByteArray randomBase62(int length)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QByteArray out(length, Qt::Uninitialized);
    auto *rng = QRandomGenerator::system();
    for (int i = 0; i < length; ++i)
        out[i] = alphabet[rng->bounded(62)];
    return out;
}
} // namespace

QString VirtualKeyRegistry::hashOf(const QByteArray &key)
{
    // The keys are 238 bits of randomness: a fast hash is enough, there is nothing to guess.
    return QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex());
}

void VirtualKeyRegistry::load(const QList<VirtualKeyRecord> &records)
{
    m_byHash.clear();
    m_hashById.clear();
    for (const VirtualKeyRecord &r : records)
        put(r);
}

QPair<VirtualKeyRecord, QByteArray> VirtualKeyRegistry::create(const QString &tenant, const QString &name, qint64 nowMs) const
{
    const QByteArray key = "tf-" + randomBase62(40);
    VirtualKeyRecord r;
    r.id = QStringLiteral("vk_") + QString::fromLatin1(randomBase62(12));
    r.hash = hashOf(key);
    r.prefix = QString::fromLatin1(key.left(7));
    r.tenant = tenant;
    r.name = name;
    r.createdAt = nowMs;
    return {r, key};
}

void VirtualKeyRegistry::put(const VirtualKeyRecord &record)
{
    m_byHash.insert(record.hash, record);
    m_hashById.insert(record.id, record.hash);
}

std::optional<VirtualKeyRecord> VirtualKeyRegistry::lookup(const QByteArray &key) const
{
    const auto it = m_byHash.constFind(hashOf(key));
    if (it == m_byHash.constEnd() || it->revokedAt != 0)
        return std::nullopt;
    return *it;
}

std::optional<VirtualKeyRecord> VirtualKeyRegistry::byId(const QString &id) const
{
    const auto h = m_hashById.constFind(id);
    if (h == m_hashById.constEnd())
        return std::nullopt;
    return m_byHash.value(*h);
}

QList<VirtualKeyRecord> VirtualKeyRegistry::all() const
{
    QList<VirtualKeyRecord> list = m_byHash.values();
    std::sort(list.begin(), list.end(), [](const VirtualKeyRecord &a, const VirtualKeyRecord &b) { return a.createdAt < b.createdAt; });
    return list;
}
