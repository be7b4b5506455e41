#pragma once

#include <QSortFilterProxyModel>

// The sessions table's view of SessionsModel: rows whose session or tenant contains the typed
// text (any case), optionally of one state only, sorted on SessionsModel::SortRole.
class SessionFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit SessionFilter(QObject *parent = nullptr);

    void setText(const QString &text);
    // -1 for every state, else int(SessionView::State).
    void setState(int state);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    int m_state = -1;
};
