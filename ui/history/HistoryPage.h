#pragma once

#include "core/GatewaySnapshot.h"
#include "history/HistoryQuery.h"
#include "history/HistoryReader.h"

#include <QElapsedTimer>
#include <QWidget>

class HistoryChart;
class HistoryModel;
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

// The console's History page: cost and tokens over time from the usage store, per local hour or
// day, split by model, tenant or session, as a chart over a table, with a totals line and CSV
// export. It reads through a HistoryReader on its own thread (never on the GUI thread); a newer
// query supersedes an older one and a late answer to an old one is dropped. Snapshots only tell
// it that requests have ended, so it refreshes (at most every few seconds, while visible) to
// show them.
class HistoryPage : public QWidget
{
    Q_OBJECT
public:
    enum class Range { Today, Last7Days, Last30Days, Custom };

    explicit HistoryPage(QWidget *parent = nullptr);
    ~HistoryPage() override;

    // The gateway's tokenfuse.db (GatewayHost::started() says where); refreshes.
    void setDatabasePath(const QString &path);
    void setCurrency(const QString &currencyCode);

    // Writes exactly the rows the table shows (see HistoryCsv); false with *error set if it can't.
    bool exportCsv(const QString &path, QString *error) const;

    const HistoryModel *model() const { return m_model; }
    const HistoryChart *chart() const { return m_chart; }
    // The busy / empty / error text shown instead of the chart, or empty when the data shows.
    QString stateText() const;
    QString totalsText() const;
    // Answers to superseded queries that arrived and were dropped; queries answered and shown.
    int droppedAnswers() const { return m_dropped; }
    int shownAnswers() const { return m_shown; }
    // Minimum time between refreshes that snapshots trigger.
    static constexpr int AutoRefreshMs = 3000;
    static constexpr int AutoRefreshPauseMs = 300;

public Q_SLOTS:
    // Asks the store again with the controls' range, bucket and split.
    void refresh();
    void applySnapshot(const GatewaySnapshot &snapshot);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildToolbar();
    void rangeChanged();
    void answered(const HistoryResult &result);
    void showState(const QString &text, bool error);
    void updateChart();
    void exportClicked();
    void scheduleAutoRefresh();
    // [from, to) of the chosen range, and how the totals line names it.
    void currentRange(qint64 *fromMs, qint64 *toMs, QString *phrase) const;

    HistoryReader::Owner m_reader;
    HistoryModel *m_model = nullptr;
    HistoryChart *m_chart = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_totals = nullptr;
    QLabel *m_status = nullptr;
    QComboBox *m_range = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QComboBox *m_bucket = nullptr;
    QComboBox *m_split = nullptr;
    QComboBox *m_metric = nullptr;
    QComboBox *m_style = nullptr;
    QPushButton *m_export = nullptr;
    QTimer *m_autoRefresh = nullptr;
    QElapsedTimer m_sinceRefresh;

    QString m_databasePath;
    QString m_currency = QStringLiteral("USD");
    QString m_rangePhrase;
    quint64 m_serial = 0;
    HistoryQuery m_shownQuery;
    bool m_stale = false;
    int m_dropped = 0;
    int m_shown = 0;
};
