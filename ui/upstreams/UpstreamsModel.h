#pragma once

#include "upstream/UpstreamView.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>

// The configured upstreams of the latest gateway snapshot as table rows, in routing order. Each
// snapshot is merged in by name: rows that left are removed, new ones appended, changed ones
// reported by dataChanged over the columns that changed, so a view's selection and scroll
// position survive the updates (as SessionsModel does for sessions).
class UpstreamsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Breaker, ErrorRate, Latency, Ttft, Load, Queue, Key, Enabled, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw numbers or lower-case text
        NameRole,                    // the row's upstream name, whatever the column
        BreakerStateRole,            // "closed", "open", "half_open"
        EnabledRole,                 // bool
    };

    explicit UpstreamsModel(QObject *parent = nullptr);

    // Merges a snapshot's upstreams in: one removal, change and insertion pass, never a reset.
    void setUpstreams(const QList<UpstreamView> &upstreams);

    // The row of an upstream, -1 when it is not shown.
    int rowOf(const QString &name) const { return m_rowOf.value(name, -1); }
    const UpstreamView &upstreamAt(int row) const { return m_rows.at(row); }
    const QList<UpstreamView> &upstreams() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const UpstreamView &u, int column) const;
    QVariant sortKey(const UpstreamView &u, int column) const;
    QString toolTip(const UpstreamView &u, int column) const;
    void removeGone(const QHash<QString, int> &incoming);
    void reindex();

    QList<UpstreamView> m_rows;
    QHash<QString, int> m_rowOf;
};
