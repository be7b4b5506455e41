#pragma once

#include "session/SessionView.h"

#include "widgets/KeyedTableModel.h"

#include <QList>
#include <QString>

// The sessions of the latest gateway snapshot as table rows. Each snapshot is merged in by session
// id: rows that left are removed, new ones appended, changed ones reported by dataChanged (in
// contiguous runs, only the columns that changed), so a view's sorting, selection and scroll
// position survive the four updates a second. Rows keep the order they arrived in; views sort
// through a proxy on SortRole.
class SessionsModel : public KeyedTableModel<SessionView>
{
    Q_OBJECT
public:
    enum Column { Session, Tenant, State, Cost, TokensPerMinute, Requests, InFlight, LastSeen, LastPrompt, Action, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw numbers (cost in micros, ms since the epoch) or lower-case text
        SessionIdRole,               // the row's session id, whatever the column
        TenantRole,
        StateRole,                   // int(SessionView::State)
        ActionRole,                  // int(SessionCommand::Action) the row's button would send
    };

    explicit SessionsModel(QObject *parent = nullptr);

    // Merges a snapshot's sessions in: one removal, change and insertion pass, never a reset.
    void setSessions(const QList<SessionView> &sessions);
    void setCurrency(const QString &currencyCode);

    const SessionView &sessionAt(int row) const { return rowAt(row); }

    // The colour a state is shown in (the State column's text, a tint of the row when blocked).
    static QColor stateColor(SessionView::State state);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const SessionView &s, int column) const;
    QVariant sortKey(const SessionView &s, int column) const;
    QString toolTip(const SessionView &s, int column) const;
    QString keyOf(const SessionView &s) const override { return s.id; }
    std::pair<int, int> changedColumns(const SessionView &before, const SessionView &after) const override;

    QString m_currency = QStringLiteral("USD");
};
