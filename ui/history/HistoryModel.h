#pragma once

#include "store/UsageQuery.h"
#include "store/UsageSeriesRow.h"

#include <QAbstractTableModel>
#include <QList>

// The History page's table: one row per (bucket, key) of a usage series, in the order the query
// gives them (oldest bucket first, within a bucket the keys of highest cost over the range first).
// DisplayRole is text for people; RawRole the stored value (bucket start in ms, key, integer
// counts, cost in micro-units), which the CSV export and the tests read.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { BucketColumn, KeyColumn, RequestsColumn, PromptColumn, CompletionColumn, CostColumn, ColumnCount };
    enum Role { RawRole = Qt::UserRole + 1 };

    explicit HistoryModel(QObject *parent = nullptr);

    void setRows(const QList<UsageSeriesRow> &rows, UsageQuery::Bucket bucket, UsageQuery::Split split);
    void setCurrency(const QString &currencyCode);

    const QList<UsageSeriesRow> &rows() const { return m_rows; }
    UsageQuery::Bucket bucket() const { return m_bucket; }
    UsageQuery::Split split() const { return m_split; }
    QString currency() const { return m_currency; }
    // The key column's text for a row: "other" for the fold, "(none)" for an empty key.
    QString keyText(const UsageSeriesRow &row) const;
    // Sums over every row.
    UsageSeriesRow total() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<UsageSeriesRow> m_rows;
    UsageQuery::Bucket m_bucket = UsageQuery::Bucket::Day;
    UsageQuery::Split m_split = UsageQuery::Split::None;
    QString m_currency = QStringLiteral("USD");
};
