#pragma once

#include "budget/RateLimitRule.h"

#include <QAbstractTableModel>
#include <QList>

// The rate limits in force, one row each in the gateway's order, as GET /admin/v1/rate_limits
// answers them. They change only when someone puts new ones, so setRules() resets the model.
class RateLimitsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { AppliesTo, RequestsPerMinute, TokensPerMinute, Concurrency, ColumnCount };

    explicit RateLimitsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRules(const QList<RateLimitRule> &rules);
    const QList<RateLimitRule> &rules() const { return m_rules; }

private:
    QList<RateLimitRule> m_rules;
};
