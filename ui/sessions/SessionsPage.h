#pragma once

#include "core/GatewaySnapshot.h"
#include "session/SessionCommand.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class SessionDetails;
class SessionFilter;
class SessionsModel;
class StopAllButton;

// The console's Sessions page: every session the gateway shows, sortable and filterable, with a
// Kill / Resume button per row, Kill tenant in the context menu and an emergency Stop all; a
// session's requests and a cap for it are a double-click and a button away. It never
// acts on the gateway itself: each button emits commandRequested() and the composition root
// queues the command to the gateway; the answer comes back through showCommandResult().
class SessionsPage : public QWidget
{
    Q_OBJECT
public:
    explicit SessionsPage(QWidget *parent = nullptr);

    void setCurrency(const QString &currencyCode);
    // Stop all and Kill tenant ask first (a QMessageBox question) unless this is off.
    void setConfirmBulkActions(bool confirm);

    // Selects the session's row (clearing a filter that hides it) and shows its details; false when
    // the latest snapshot does not hold it.
    bool selectSession(const QString &id);
    QString selectedSession() const { return m_selectedId; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);
    void showCommandResult(const SessionCommand &command, const SessionCommandResult &result);

Q_SIGNALS:
    void commandRequested(const SessionCommand &command);
    // Double-click (or Enter, or the Requests button) on a session: show its recent requests.
    void requestsWanted(const QString &session);
    // "Set a cap for this session": open the budget dialog for it.
    void capWanted(const QString &session);

private:
    QWidget *buildToolbar();
    void rowButtonClicked(const QModelIndex &proxyIndex);
    void showContextMenu(const QPoint &position);
    void selectionChanged();
    void updateDetails();
    void updateCount();
    bool confirm(const QString &title, const QString &text);

    SessionsModel *m_model = nullptr;
    SessionFilter *m_filter = nullptr;
    QTableView *m_table = nullptr;
    SessionDetails *m_details = nullptr;
    QLineEdit *m_filterText = nullptr;
    QComboBox *m_stateFilter = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_requestsButton = nullptr;
    QPushButton *m_capButton = nullptr;
    StopAllButton *m_stopAll = nullptr;
    QString m_selectedId;
    int m_sessionsKnown = 0;
    bool m_confirmBulk = true;
};
