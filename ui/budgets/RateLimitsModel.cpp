#include "RateLimitsModel.h"

#include "ConsoleFormat.h"

RateLimitsModel::RateLimitsModel(QObject *parent) : QAbstractTableModel(parent)
{
}

int RateLimitsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rules.size());
}

int RateLimitsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RateLimitsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case AppliesTo: return tr("Applies to (each)");
    case RequestsPerMinute: return tr("Requests / min");
    case TokensPerMinute: return tr("Tokens / min");
    case Concurrency: return tr("At once");
    default: return {};
    }
}

QVariant RateLimitsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const RateLimitRule &r = m_rules.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return index.column() == AppliesTo ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const auto figure = [](const std::optional<qint64> &v) { return v ? ConsoleFormat::count(*v) : tr("no limit"); };
    switch (index.column()) {
    case AppliesTo: return QStringLiteral("%1 %2").arg(BudgetRule::scopeName(r.scope), r.match);
    case RequestsPerMinute: return figure(r.rpm);
    case TokensPerMinute: return figure(r.tpm);
    case Concurrency: return figure(r.concurrency);
    default: return {};
    }
}

void RateLimitsModel::setRules(const QList<RateLimitRule> &rules)
{
    if (rules == m_rules)
        return;
    beginResetModel();
    m_rules = rules;
    endResetModel();
}
