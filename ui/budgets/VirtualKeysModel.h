#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QList>

// The virtual keys, as GET /admin/v1/keys lists them (never the keys themselves): id, prefix,
// tenant, name, when created, and whether revoked. Replaced whole by setKeys().
class VirtualKeysModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Prefix, Tenant, Name, Created, State, Id, Priority, ColumnCount };

    struct Key
    {
        QString id;
        QString prefix;
        QString tenant;
        QString name;
        QString createdAt; // ISO 8601
        bool revoked = false;
        int priority = 0; // its tier in the upstreams' wait queues; 0: its tenant's
        bool operator==(const Key &) const = default;
    };

    explicit VirtualKeysModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The "keys" array of GET /admin/v1/keys.
    void setKeys(const QJsonArray &keys, qint64 nowMs);
    const Key &keyAt(int row) const { return m_keys.at(row); }

private:
    QList<Key> m_keys;
    qint64 m_nowMs = 0;
};
