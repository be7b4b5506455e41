#pragma once

#include "core/GatewaySnapshot.h"

#include <QWidget>

class FigureLabel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class RequestDetails;
class RequestFilter;
class RequestLogModel;

// The console's Requests page: the latest requests (a ring of RequestLogModel::DefaultCapacity),
// newest on top, filterable by status class, model, session, endpoint and text, with the selected
// request's details under the table. "Follow latest" off holds the table still for reading: new
// rows wait (counted) and go in when it is turned back on. While the page is out of sight they
// wait too, and go in when it is shown: on a busy gateway taking them in was the GUI thread's
// largest cost on every other page (bench/console).
class RequestsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RequestsPage(QWidget *parent = nullptr);

    void setCurrency(const QString &currencyCode);
    // Filters to one session (clearing the other filters) and selects its latest request.
    void showSession(const QString &sessionId);

    RequestLogModel *model() const { return m_model; }
    QString selectedId() const { return m_selectedId; }

public Q_SLOTS:
    void applySnapshot(const GatewaySnapshot &snapshot);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildToolbar();
    QComboBox *addChoice(QWidget *bar, const QString &objectName, const QString &anyText);
    void refreshChoices();
    void followChanged(bool follow);
    void takeRows(const QList<UsageRecord> &rows);
    bool takeWaiting(); // false when nothing was waiting
    void selectionChanged();
    void updateCount();

    RequestLogModel *m_model = nullptr;
    RequestFilter *m_filter = nullptr;
    QTableView *m_table = nullptr;
    RequestDetails *m_details = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_models = nullptr;
    QComboBox *m_sessions = nullptr;
    QComboBox *m_endpoints = nullptr;
    QCheckBox *m_refusedOnly = nullptr;
    QCheckBox *m_follow = nullptr;
    FigureLabel *m_count = nullptr;
    QLabel *m_skipped = nullptr;
    // Rows that ended while following was off or the page hidden, as the snapshots brought them,
    // oldest first: at most a ring's worth (m_waitingRows of them).
    QList<QList<UsageRecord>> m_waiting;
    qsizetype m_waitingRows = 0;
    qint64 m_skippedTotal = 0;
    QString m_selectedId;
};
