#include "VirtualKeysModel.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QJsonObject>
#include <QPalette>

VirtualKeysModel::VirtualKeysModel(QObject *parent) : QAbstractTableModel(parent)
{
}

int VirtualKeysModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int VirtualKeysModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VirtualKeysModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Prefix: return tr("Key");
    case Tenant: return tr("Tenant");
    case Name: return tr("Name");
    case Created: return tr("Created");
    case State: return tr("State");
    case Id: return tr("Id");
    case Priority: return tr("Queue priority");
    default: return {};
    }
}

QVariant VirtualKeysModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Key &k = m_keys.at(index.row());
    if (role == Qt::ForegroundRole && k.revoked)
        return index.column() == State ? ConsolePalette::failure() : ConsolePalette::mutedText(QGuiApplication::palette());
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Prefix: return k.prefix + QStringLiteral("…");
    case Tenant: return k.tenant;
    case Name: return k.name;
    case Created:
        return ConsoleFormat::clockTime(QDateTime::fromString(k.createdAt, Qt::ISODateWithMs).toMSecsSinceEpoch(), m_nowMs);
    case State: return k.revoked ? tr("revoked") : tr("active");
    case Id: return k.id;
    case Priority: return k.priority == 0 ? tr("tenant's") : QString::number(k.priority);
    default: return {};
    }
}

void VirtualKeysModel::setKeys(const QJsonArray &keys, qint64 nowMs)
{
    QList<Key> list;
    for (const QJsonValue &v : keys) {
        const QJsonObject o = v.toObject();
        list.append(Key{o.value(QLatin1String("id")).toString(), o.value(QLatin1String("prefix")).toString(),
                        o.value(QLatin1String("tenant")).toString(), o.value(QLatin1String("name")).toString(),
                        o.value(QLatin1String("created_at")).toString(), o.value(QLatin1String("revoked")).toBool(),
                        o.value(QLatin1String("priority")).toInt()});
    }
    m_nowMs = nowMs;
    if (list == m_keys)
        return;
    beginResetModel();
    m_keys = list;
    endResetModel();
}
