#include "AuditTable.h"

#include "ColumnCodec.h"

#include <QSqlQuery>
#include <QVariant>

QString AuditTable::columnList()
{
    // before and after are SQLite keywords; quoted, they read as column names in every context.
    return QStringLiteral(R"(id, at, actor, action, target, "before", "after")");
}

QString AuditTable::insertSql()
{
    return QStringLiteral(R"(INSERT INTO audit (at, actor, action, target, "before", "after") VALUES (?, ?, ?, ?, ?, ?))");
}

void AuditTable::bind(QSqlQuery &query, const AuditEntry &entry)
{
    int i = 0;
    query.bindValue(i++, entry.at);
    query.bindValue(i++, ColumnCodec::text(entry.actor));
    query.bindValue(i++, ColumnCodec::text(entry.action));
    query.bindValue(i++, ColumnCodec::text(entry.target));
    query.bindValue(i++, ColumnCodec::jsonText(entry.before));
    query.bindValue(i++, ColumnCodec::jsonText(entry.after));
}

AuditEntry AuditTable::read(const QSqlQuery &query, int first)
{
    AuditEntry entry;
    int i = first;
    entry.id = query.value(i++).toLongLong();
    entry.at = query.value(i++).toLongLong();
    entry.actor = query.value(i++).toString();
    entry.action = query.value(i++).toString();
    entry.target = query.value(i++).toString();
    entry.before = ColumnCodec::jsonValue(query.value(i++).toString());
    entry.after = ColumnCodec::jsonValue(query.value(i++).toString());
    return entry;
}

QString AuditTable::selectRecentSql()
{
    return QStringLiteral("SELECT %1 FROM audit ORDER BY id DESC LIMIT ?").arg(columnList());
}
