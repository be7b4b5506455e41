#pragma once

#include "budget/BudgetUsage.h"

#include <QAbstractTableModel>
#include <QList>

// The budget rules in force, one row each in the gateway's order, with their counters in the
// current window. Fed by setUsage() from every snapshot: rows whose figures changed are updated
// in place with one dataChanged over them; a different set of rules resets the model.
class BudgetRulesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, AppliesTo, Window, Caps, Usage, Resets, OverCap, Alert, ColumnCount };
    enum Role {
        FractionRole = Qt::UserRole + 1, // double: the fullest subject's use of its fullest cap (UsageBarDelegate)
        AlertRole,                       // double: the rule's alert_at
    };

    explicit BudgetRulesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setUsage(const QList<BudgetUsage> &usage, qint64 nowMs);
    QList<BudgetRule> rules() const;
    const BudgetUsage &usageAt(int row) const { return m_rows.at(row); }

private:
    QVariant display(const BudgetUsage &u, int column) const;

    QList<BudgetUsage> m_rows;
    qint64 m_nowMs = 0;
};
