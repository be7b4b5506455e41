#include "RequestFilter.h"

#include "RequestLogModel.h"

RequestFilter::RequestFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RequestLogModel::SortRole);
    setDynamicSortFilter(true);
}

template<typename T>
void RequestFilter::set(T &member, const T &value)
{
    if (member == value)
        return;
    member = value;
    invalidateRowsFilter();
}

void RequestFilter::setStatus(Status status) { set(m_status, status); }
void RequestFilter::setModelName(const QString &model) { set(m_model, model); }
void RequestFilter::setSession(const QString &session) { set(m_session, session); }
void RequestFilter::setEndpoint(const QString &endpoint) { set(m_endpoint, endpoint); }
void RequestFilter::setRefusedOnly(bool refusedOnly) { set(m_refusedOnly, refusedOnly); }
void RequestFilter::setText(const QString &text) { set(m_text, text.trimmed().toLower()); }

bool RequestFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    using Class = RequestLogModel::StatusClass;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto statusClass = Class(index.data(RequestLogModel::StatusClassRole).toInt());
    if (m_refusedOnly && statusClass != Class::Refused)
        return false;
    switch (m_status) {
    case Status::All: break;
    case Status::Ok: if (statusClass != Class::Ok) return false; break;
    case Status::Errors: if (statusClass == Class::Ok) return false; break;
    case Status::Refused: if (statusClass != Class::Refused) return false; break;
    case Status::UpstreamErrors: if (statusClass != Class::UpstreamError) return false; break;
    }
    if (!m_model.isEmpty() && index.data(RequestLogModel::ModelRole).toString() != m_model)
        return false;
    if (!m_session.isEmpty() && index.data(RequestLogModel::SessionRole).toString() != m_session)
        return false;
    if (!m_endpoint.isEmpty() && index.data(RequestLogModel::EndpointRole).toString() != m_endpoint)
        return false;
    return m_text.isEmpty() || index.data(RequestLogModel::SearchRole).toString().contains(m_text);
}
