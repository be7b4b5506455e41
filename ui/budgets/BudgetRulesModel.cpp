#include "BudgetRulesModel.h"

#include "BudgetText.h"

#include <QDateTime>
#include <QString>

namespace {
bool sameFigures(const BudgetUsage &a, const BudgetUsage &b)
{
    if (a.windowEnd != b.windowEnd || a.counters.size() != b.counters.size())
        return false;
    for (qsizetype i = 0; i < a.counters.size(); ++i) {
        const BudgetCounterUsage &x = a.counters.at(i);
        const BudgetCounterUsage &y = b.counters.at(i);
        if (x.subject != y.subject || x.spent != y.spent || x.inFlight != y.inFlight || x.fraction != y.fraction)
            return false;
    }
    return true;
}
} // namespace

BudgetRulesModel::BudgetRulesModel(QObject *parent) : QAbstractTableModel(parent)
{
}

int BudgetRulesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BudgetRulesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BudgetRulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case AppliesTo: return tr("Applies to");
    case Window: return tr("Window");
    case Caps: return tr("Caps");
    case Usage: return tr("Fullest subject");
    case Resets: return tr("Resets");
    case OverCap: return tr("Over cap");
    case Alert: return tr("Alert at");
    default: return {};
    }
}

QVariant BudgetRulesModel::display(const BudgetUsage &u, int column) const
{
    const BudgetRule &r = u.rule;
    switch (column) {
    case Name: return r.displayName();
    case AppliesTo: return BudgetText::appliesTo(r);
    case Window: return BudgetRule::windowName(r.window);
    case Caps: return BudgetText::caps(r);
    case Usage:
        if (u.counters.isEmpty())
            return tr("nothing used yet");
        return u.counters.first().subject.isEmpty()
                   ? BudgetText::usage(r, u.counters.first())
                   : QStringLiteral("%1: %2").arg(u.counters.first().subject, BudgetText::usage(r, u.counters.first()));
    case Resets: return BudgetText::resets(u.windowEnd, r.window, m_nowMs);
    case OverCap: return r.overCap == BudgetOverCap::Clamp ? tr("shrink output") : tr("refuse (402)");
    case Alert: return QStringLiteral("%1 %").arg(qRound(r.alertAt * 100));
    default: return {};
    }
}

QVariant BudgetRulesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const BudgetUsage &u = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(u, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Usage && !u.counters.isEmpty())
            return tr("%n subject(s) counted in this window; select the row to see each.", nullptr, int(u.counters.size()));
        if (index.column() == Resets && u.windowEnd > 0)
            return tr("The %1 window resets at %2.").arg(BudgetRule::windowName(u.rule.window),
                                                      QDateTime::fromMSecsSinceEpoch(u.windowEnd).toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        return display(u, index.column());
    case FractionRole:
        return u.counters.isEmpty() ? 0.0 : u.counters.first().fraction;
    case AlertRole:
        return u.rule.alertAt;
    case Qt::TextAlignmentRole:
        return index.column() == Alert ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
        return {};
    }
}

void BudgetRulesModel::setUsage(const QList<BudgetUsage> &usage, qint64 nowMs)
{
    const bool clockMoved = nowMs / 60'000 != m_nowMs / 60'000; // the reset column counts minutes
    m_nowMs = nowMs;
    bool sameRules = usage.size() == m_rows.size();
    for (qsizetype i = 0; sameRules && i < usage.size(); ++i)
        sameRules = usage.at(i).rule == m_rows.at(i).rule;
    if (!sameRules) {
        beginResetModel();
        m_rows = usage;
        endResetModel();
        return;
    }
    int first = -1;
    int last = -1;
    for (qsizetype i = 0; i < usage.size(); ++i) {
        if (sameFigures(usage.at(i), m_rows.at(i)))
            continue;
        m_rows[i] = usage.at(i);
        if (first < 0)
            first = int(i);
        last = int(i);
    }
    if (clockMoved && !m_rows.isEmpty()) {
        first = 0;
        last = int(m_rows.size()) - 1;
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

QList<BudgetRule> BudgetRulesModel::rules() const
{
    QList<BudgetRule> list;
    list.reserve(m_rows.size());
    for (const BudgetUsage &u : m_rows)
        list.append(u.rule);
    return list;
}
