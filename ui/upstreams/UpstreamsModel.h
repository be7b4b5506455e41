#pragma once

#include "upstream/UpstreamView.h"
#include "widgets/KeyedTableModel.h"

#include <QList>
#include <QString>

// The configured upstreams of the latest gateway snapshot as table rows, in routing order. Each
// snapshot is merged in by name: rows that left are removed, new ones appended, changed ones
// reported by dataChanged over the columns that changed, so a view's selection and scroll
// position survive the updates (KeyedTableModel, as for sessions).
class UpstreamsModel : public KeyedTableModel<UpstreamView>
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

    const UpstreamView &upstreamAt(int row) const { return rowAt(row); }
    const QList<UpstreamView> &upstreams() const { return rows(); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const UpstreamView &u, int column) const;
    QVariant sortKey(const UpstreamView &u, int column) const;
    QString toolTip(const UpstreamView &u, int column) const;
    QString keyOf(const UpstreamView &u) const override { return u.name; }
    std::pair<int, int> changedColumns(const UpstreamView &before, const UpstreamView &after) const override;
};
