#pragma once

#include "core/GatewaySnapshot.h"

#include <QHash>
#include <QWidget>

class AdminChannel;
class FieldGrid;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;
class UpstreamDialog;
class UpstreamsModel;
struct AdminAnswer;

// The console's Upstreams page: every configured provider in routing order with its breaker,
// error rate, latency, load, queue and key hint, updated in place from the snapshots; Add from
// preset, Edit, Enable / Disable, Remove and Test through the admin API; the selected upstream's
// model breakers, last probe and last Test result under the table. With no upstream configured
// (the simulator answers everything) it says so and offers to add a provider.
class UpstreamsPage : public QWidget
{
    Q_OBJECT
public:
    explicit UpstreamsPage(AdminChannel *admin, QWidget *parent = nullptr);

    // Remove asks first (a QMessageBox question) unless this is off.
    void setConfirmDeletes(bool confirm) { m_confirmDeletes = confirm; }
    bool selectUpstream(const QString &name);
    QString selectedUpstream() const { return m_selected; }
    // The latest Test result of an upstream, as the details show it; empty when none yet.
    QString testResult(const QString &name) const { return m_testResults.value(name); }
    // The dialog Add or Edit opened, while it is open.
    UpstreamDialog *dialog() const;
    bool showsEmptyState() const;

public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);
    void addUpstream();
    void editUpstream();
    void toggleEnabled();
    void removeUpstream();
    void testUpstream();

Q_SIGNALS:
    // A change the gateway made, for the window's status line.
    void changed(const QString &message);

private:
    QWidget *buildToolbar();
    QWidget *buildEmptyState();
    QWidget *buildDetails();
    void openDialog(const UpstreamView *existing);
    void submit(UpstreamDialog *dialog, const QJsonObject &body);
    void selectionChanged();
    void updateButtons();
    void updateDetails();
    void showStatus(const QString &text, bool error);
    QByteArray pathOf(const QString &name, const char *action = nullptr) const;

    AdminChannel *m_admin = nullptr;
    UpstreamsModel *m_model = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_detailsTitle = nullptr;
    QLabel *m_detailsHint = nullptr;
    FieldGrid *m_fields = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_count = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_enable = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_test = nullptr;
    QString m_selected;
    QString m_pendingSelection; // added or saved here: selected once a snapshot lists it
    QHash<QString, QString> m_testResults;
    QHash<QString, bool> m_testing;
    bool m_confirmDeletes = true;
    bool m_simulatorOnly = false;
};
