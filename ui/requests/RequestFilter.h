#pragma once

#include <QSortFilterProxyModel>

// The request log's view of RequestLogModel: rows of one status class, model, session and
// endpoint (each optional), refused only, and containing the typed text (id, model, session,
// tenant, endpoint, upstream, error kind or status, any case). Each test reads one role of one
// row, so a 5,000-row ring filters in well under a frame.
class RequestFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class Status { All, Ok, Errors, Refused, UpstreamErrors };

    explicit RequestFilter(QObject *parent = nullptr);

    void setStatus(Status status);
    // Empty for any.
    void setModelName(const QString &model);
    void setSession(const QString &session);
    void setEndpoint(const QString &endpoint);
    void setRefusedOnly(bool refusedOnly);
    void setText(const QString &text);

    QString session() const { return m_session; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    template<typename T>
    void set(T &member, const T &value);

    Status m_status = Status::All;
    QString m_model;
    QString m_session;
    QString m_endpoint;
    bool m_refusedOnly = false;
    QString m_text;
};
