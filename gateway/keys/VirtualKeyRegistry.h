#pragma once

#include "store/StoreRecords.h"

#include <QHash>
#include <QList>

#include <optional>

// TokenFuse's own API keys ("tf-..."), each naming a tenant. Holds only their SHA-256 hashes;
// the key itself exists once, in the answer to the request that created it.
class VirtualKeyRegistry
{
public:
    static bool isVirtualKey(const QByteArray &key) { return key.startsWith("tf-"); }
    static QString hashOf(const QByteArray &key);

    void load(const QList<VirtualKeyRecord> &records);
    // A new key for a tenant: the record to store, and the key to show once.
    QPair<VirtualKeyRecord, QByteArray> create(const QString &tenant, const QString &name, qint64 nowMs) const;
    void put(const VirtualKeyRecord &record);
    // The active key's record; nothing for an unknown or revoked key.
    std::optional<VirtualKeyRecord> lookup(const QByteArray &key) const;
    std::optional<VirtualKeyRecord> byId(const QString &id) const;
    QList<VirtualKeyRecord> all() const;

private:
    QHash<QString, VirtualKeyRecord> m_byHash;
    QHash<QString, QString> m_hashById;
};
