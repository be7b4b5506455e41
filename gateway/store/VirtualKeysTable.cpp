#include "VirtualKeysTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

QString VirtualKeysTable::columnList()
{
    return QStringLiteral("id, hash, prefix, tenant, name, created_at, revoked_at, priority");
}

QString VirtualKeysTable::upsertSql()
{
    return QStringLiteral(
        "INSERT INTO virtual_keys (id, hash, prefix, tenant, name, created_at, revoked_at, priority) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, prefix = excluded.prefix, tenant = excluded.tenant, "
        "name = excluded.name, created_at = excluded.created_at, revoked_at = excluded.revoked_at, priority = excluded.priority");
}

void VirtualKeysTable::bind(QSqlQuery &query, const VirtualKeyRecord &key)
{
    int i = 0;
    query.bindValue(i++, ColumnCodec::text(key.id));
    query.bindValue(i++, ColumnCodec::text(key.hash));
    query.bindValue(i++, ColumnCodec::text(key.prefix));
    query.bindValue(i++, ColumnCodec::text(key.tenant));
    query.bindValue(i++, ColumnCodec::text(key.name));
    query.bindValue(i++, key.createdAt);
    query.bindValue(i++, key.revokedAt);
    query.bindValue(i++, key.priority);
}

VirtualKeyRecord VirtualKeysTable::read(const QSqlQuery &query, int first)
{
    VirtualKeyRecord key;
    int i = first;
    key.id = query.value(i++).toString();
    key.hash = query.value(i++).toString();
    key.prefix = query.value(i++).toString();
    key.tenant = query.value(i++).toString();
    key.name = query.value(i++).toString();
    key.createdAt = query.value(i++).toLongLong();
    key.revokedAt = query.value(i++).toLongLong();
    key.priority = query.value(i++).toInt();
    return key;
}

QString VirtualKeysTable::selectAllSql()
{
    return QStringLiteral("SELECT %1 FROM virtual_keys ORDER BY created_at, id").arg(columnList());
}
