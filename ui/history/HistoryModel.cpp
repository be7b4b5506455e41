#include "HistoryModel.h"

#include "ConsoleFormat.h"
#include "history/HistoryBuckets.h"

HistoryModel::HistoryModel(QObject *parent) : QAbstractTableModel(parent)
{
}

void HistoryModel::setRows(const QList<UsageSeriesRow> &rows, UsageQuery::Bucket bucket, UsageQuery::Split split)
{
    // A new answer replaces the whole table: one reset, not a signal per row.
    beginResetModel();
    m_rows = rows;
    m_bucket = bucket;
    const bool splitChanged = m_split != split;
    m_split = split;
    endResetModel();
    if (splitChanged)
        Q_EMIT headerDataChanged(Qt::Horizontal, KeyColumn, KeyColumn);
}

void HistoryModel::setCurrency(const QString &currencyCode)
{
    if (currencyCode == m_currency)
        return;
    m_currency = currencyCode;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, CostColumn), index(int(m_rows.size()) - 1, CostColumn), {Qt::DisplayRole});
}

QString HistoryModel::keyText(const UsageSeriesRow &row) const
{
    if (row.other)
        return tr("other");
    if (m_split == UsageQuery::Split::None)
        return tr("all");
    return row.key.isEmpty() ? tr("(none)") : row.key;
}

UsageSeriesRow HistoryModel::total() const
{
    UsageSeriesRow sum;
    for (const UsageSeriesRow &row : m_rows) {
        sum.requests += row.requests;
        sum.promptTokens += row.promptTokens;
        sum.completionTokens += row.completionTokens;
        sum.costMicros += row.costMicros;
    }
    return sum;
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UsageSeriesRow &row = m_rows.at(index.row());
    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return column >= RequestsColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant(int(Qt::AlignLeft | Qt::AlignVCenter));
    if (role == RawRole) {
        switch (column) {
        case BucketColumn: return row.bucketStartMs;
        case KeyColumn: return row.other ? QStringLiteral("other") : row.key;
        case RequestsColumn: return row.requests;
        case PromptColumn: return row.promptTokens;
        case CompletionColumn: return row.completionTokens;
        case CostColumn: return row.costMicros;
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (column == PromptColumn || column == CompletionColumn)
            return ConsoleFormat::count(column == PromptColumn ? row.promptTokens : row.completionTokens);
        if (column == CostColumn)
            return tr("%1 %2").arg(QString::number(double(row.costMicros) / 1e6, 'f', 6), m_currency);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case BucketColumn: return HistoryBuckets::label(row.bucketStartMs, m_bucket);
    case KeyColumn: return keyText(row);
    case RequestsColumn: return ConsoleFormat::count(row.requests);
    case PromptColumn: return ConsoleFormat::tokens(row.promptTokens);
    case CompletionColumn: return ConsoleFormat::tokens(row.completionTokens);
    case CostColumn: return ConsoleFormat::money(row.costMicros, m_currency);
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return section >= RequestsColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant(int(Qt::AlignLeft | Qt::AlignVCenter));
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case BucketColumn: return m_bucket == UsageQuery::Bucket::Hour ? tr("Hour") : tr("Day");
    case KeyColumn:
        switch (m_split) {
        case UsageQuery::Split::Model: return tr("Model");
        case UsageQuery::Split::Tenant: return tr("Tenant");
        case UsageQuery::Split::Session: return tr("Session");
        case UsageQuery::Split::None: return tr("Key");
        }
        return tr("Key");
    case RequestsColumn: return tr("Requests");
    case PromptColumn: return tr("Tokens in");
    case CompletionColumn: return tr("Tokens out");
    case CostColumn: return tr("Cost");
    }
    return {};
}
