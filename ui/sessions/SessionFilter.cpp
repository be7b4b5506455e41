#include "SessionFilter.h"

#include "SessionsModel.h"

SessionFilter::SessionFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SessionsModel::SortRole);
    setDynamicSortFilter(true);
}

void SessionFilter::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

void SessionFilter::setState(int state)
{
    if (state == m_state)
        return;
    m_state = state;
    invalidateRowsFilter();
}

bool SessionFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_state >= 0 && index.data(SessionsModel::StateRole).toInt() != m_state)
        return false;
    if (m_text.isEmpty())
        return true;
    return index.data(SessionsModel::SessionIdRole).toString().contains(m_text, Qt::CaseInsensitive)
        || index.data(SessionsModel::TenantRole).toString().contains(m_text, Qt::CaseInsensitive);
}
