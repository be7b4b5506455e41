#include "HistoryPage.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "charts/HistoryChart.h"
#include "history/HistoryBuckets.h"
#include "history/HistoryCsv.h"
#include "history/HistoryModel.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace {

constexpr int TopKeys = 8;
// Hour buckets up to this many days: beyond, a chart of hours has more bars than it can show.
constexpr int MaxHourDays = 12;

} // namespace

HistoryPage::HistoryPage(QWidget *parent)
    : QWidget(parent)
    , m_reader(HistoryReader::start())
    , m_model(new HistoryModel(this))
    , m_autoRefresh(new QTimer(this))
{
    setObjectName(QStringLiteral("historyPage"));
    connect(m_reader.get(), &HistoryReader::answered, this, &HistoryPage::answered, Qt::QueuedConnection);

    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("historyTotals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_totals, 1.25, QFont::DemiBold);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("historyStatus"));
    ConsolePalette::makeMuted(m_status);

    m_chart = new HistoryChart(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setModel(m_model);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(HistoryModel::KeyColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(HistoryModel::BucketColumn, 170);
    for (const int c : {int(HistoryModel::RequestsColumn), int(HistoryModel::PromptColumn), int(HistoryModel::CompletionColumn),
                        int(HistoryModel::CostColumn)})
        m_table->setColumnWidth(c, 120);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_chart);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("historyState"));
    m_state->setAlignment(Qt::AlignCenter);
    m_state->setWordWrap(true);
    ConsolePalette::scaleFont(m_state, 1.15, QFont::Normal);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(splitter);
    m_stack->addWidget(m_state);

    auto *totalsRow = new QHBoxLayout;
    totalsRow->addWidget(m_totals);
    totalsRow->addStretch(1);
    totalsRow->addWidget(m_status);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 14, 16, 14);
    layout->setSpacing(10);
    layout->addWidget(buildToolbar());
    layout->addLayout(totalsRow);
    layout->addWidget(m_stack, 1);

    m_autoRefresh->setSingleShot(true);
    connect(m_autoRefresh, &QTimer::timeout, this, [this] {
        if (m_stale && isVisible())
            refresh();
    });
    auto *refreshKey = new QShortcut(QKeySequence::Refresh, this);
    connect(refreshKey, &QShortcut::activated, this, &HistoryPage::refresh);

    showState(tr("Waiting for the gateway to open its usage database…"), false);
    rangeChanged();
}

HistoryPage::~HistoryPage() = default;

QWidget *HistoryPage::buildToolbar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(8);
    const auto combo = [bar](const char *name, const QStringList &items) {
        auto *box = new QComboBox(bar);
        box->setObjectName(QString::fromLatin1(name));
        box->addItems(items);
        return box;
    };
    m_range = combo("historyRange", {tr("Today"), tr("Last 7 days"), tr("Last 30 days"), tr("Custom…")});
    m_range->setCurrentIndex(int(Range::Last7Days));
    const QDate today = QDate::currentDate();
    const auto dateEdit = [bar](const char *name, const QDate &date) {
        auto *edit = new QDateEdit(date, bar);
        edit->setObjectName(QString::fromLatin1(name));
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("d MMM yyyy"));
        edit->setMaximumDate(QDate::currentDate().addYears(1));
        edit->setVisible(false);
        return edit;
    };
    m_from = dateEdit("historyFrom", today.addDays(-6));
    m_to = dateEdit("historyTo", today);
    m_bucket = combo("historyBucket", {tr("By hour"), tr("By day")});
    m_bucket->setCurrentIndex(1);
    m_split = combo("historySplit", {tr("All requests"), tr("By model"), tr("By tenant"), tr("By session")});
    m_split->setCurrentIndex(1);
    m_metric = combo("historyMetric", {tr("Cost"), tr("Tokens")});
    m_style = combo("historyChartStyle", {tr("Bars"), tr("Lines")});
    m_export = new QPushButton(tr("&Export CSV…"), bar);
    m_export->setObjectName(QStringLiteral("historyExport"));
    m_export->setEnabled(false);
    auto *refreshButton = new QPushButton(tr("&Refresh"), bar);
    refreshButton->setObjectName(QStringLiteral("historyRefresh"));
    refreshButton->setToolTip(tr("Read the usage store again (F5)"));

    auto *dash = new QLabel(QStringLiteral("–"), bar);
    dash->setVisible(false);
    dash->setObjectName(QStringLiteral("historyDash"));
    row->addWidget(m_range);
    row->addWidget(m_from);
    row->addWidget(dash);
    row->addWidget(m_to);
    row->addSpacing(8);
    row->addWidget(m_bucket);
    row->addWidget(m_split);
    row->addSpacing(8);
    row->addWidget(m_metric);
    row->addWidget(m_style);
    row->addStretch(1);
    row->addWidget(refreshButton);
    row->addWidget(m_export);

    connect(m_range, &QComboBox::currentIndexChanged, this, [this, dash] {
        const bool custom = m_range->currentIndex() == int(Range::Custom);
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        dash->setVisible(custom);
        // Today reads best by hour, longer ranges by day.
        m_bucket->setCurrentIndex(m_range->currentIndex() == int(Range::Today) ? 0 : 1);
        rangeChanged();
    });
    connect(m_from, &QDateEdit::dateChanged, this, [this](const QDate &date) {
        if (m_to->date() < date)
            m_to->setDate(date);
        rangeChanged();
    });
    connect(m_to, &QDateEdit::dateChanged, this, [this](const QDate &date) {
        if (m_from->date() > date)
            m_from->setDate(date);
        rangeChanged();
    });
    connect(m_bucket, &QComboBox::currentIndexChanged, this, &HistoryPage::refresh);
    connect(m_split, &QComboBox::currentIndexChanged, this, &HistoryPage::refresh);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        m_chart->setMetric(m_metric->currentIndex() == 0 ? HistoryChart::Metric::Cost : HistoryChart::Metric::Tokens);
    });
    connect(m_style, &QComboBox::currentIndexChanged, this, [this] {
        m_chart->setStyle(m_style->currentIndex() == 0 ? HistoryChart::Style::Bars : HistoryChart::Style::Lines);
    });
    connect(refreshButton, &QPushButton::clicked, this, &HistoryPage::refresh);
    connect(m_export, &QPushButton::clicked, this, &HistoryPage::exportClicked);
    return bar;
}

void HistoryPage::setDatabasePath(const QString &path)
{
    m_databasePath = path;
    m_reader->setDatabasePath(path);
    refresh();
}

void HistoryPage::setCurrency(const QString &currencyCode)
{
    m_currency = currencyCode;
    m_model->setCurrency(currencyCode);
    m_chart->setCurrency(currencyCode);
    if (m_shown > 0)
        updateChart();
}

bool HistoryPage::exportCsv(const QString &path, QString *error) const
{
    return HistoryCsv::write(*m_model, path, error);
}

QString HistoryPage::stateText() const
{
    return m_stack->currentWidget() == m_state ? m_state->text() : QString();
}

QString HistoryPage::totalsText() const
{
    return m_totals->text();
}

void HistoryPage::currentRange(qint64 *fromMs, qint64 *toMs, QString *phrase) const
{
    const QDate today = QDate::currentDate();
    QDate first = today;
    QDate last = today;
    switch (Range(m_range->currentIndex())) {
    case Range::Today:
        *phrase = tr("today");
        break;
    case Range::Last7Days:
        first = today.addDays(-6);
        *phrase = tr("in the last 7 days");
        break;
    case Range::Last30Days:
        first = today.addDays(-29);
        *phrase = tr("in the last 30 days");
        break;
    case Range::Custom:
        first = m_from->date();
        last = m_to->date();
        *phrase = first == last ? tr("on %1").arg(QLocale(QLocale::English).toString(first, QStringLiteral("d MMM yyyy")))
                                : tr("from %1 to %2")
                                      .arg(QLocale(QLocale::English).toString(first, QStringLiteral("d MMM")),
                                           QLocale(QLocale::English).toString(last, QStringLiteral("d MMM yyyy")));
        break;
    }
    // Whole local days, the last one included: a day's chart shows all its hours.
    *fromMs = first.startOfDay().toMSecsSinceEpoch();
    *toMs = last.addDays(1).startOfDay().toMSecsSinceEpoch();
}

void HistoryPage::rangeChanged()
{
    qint64 from = 0;
    qint64 to = 0;
    QString phrase;
    currentRange(&from, &to, &phrase);
    const bool hoursFit = to - from <= qint64(MaxHourDays) * 24 * 3600 * 1000 + 3600 * 1000;
    if (!hoursFit && m_bucket->currentIndex() == 0) {
        const QSignalBlocker quiet(m_bucket);
        m_bucket->setCurrentIndex(1);
    }
    m_bucket->setItemData(0, hoursFit ? QVariant() : QVariant(0), Qt::UserRole - 1); // 0 disables the item
    m_bucket->setItemData(0, hoursFit ? QString() : tr("Hours only up to %1 days").arg(MaxHourDays), Qt::ToolTipRole);
    refresh();
}

void HistoryPage::refresh()
{
    m_stale = false;
    m_autoRefresh->stop();
    m_sinceRefresh.restart();
    if (m_databasePath.isEmpty())
        return;
    HistoryQuery query;
    query.serial = ++m_serial;
    currentRange(&query.fromMs, &query.toMs, &m_rangePhrase);
    query.bucket = m_bucket->currentIndex() == 0 ? UsageQuery::Bucket::Hour : UsageQuery::Bucket::Day;
    query.split = UsageQuery::Split(m_split->currentIndex());
    query.topKeys = TopKeys;
    m_reader->submit(query);
    if (m_shown == 0)
        showState(tr("Loading…"), false);
    m_status->setText(tr("Updating…"));
}

void HistoryPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    // Only a hint that new rows are in the store; the figures come from the store itself.
    if (snapshot.requestsDelta <= 0)
        return;
    m_stale = true;
    scheduleAutoRefresh();
}

void HistoryPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        scheduleAutoRefresh();
}

void HistoryPage::scheduleAutoRefresh()
{
    if (!isVisible() || m_autoRefresh->isActive())
        return;
    const qint64 elapsed = m_sinceRefresh.isValid() ? m_sinceRefresh.elapsed() : AutoRefreshMs;
    // A short pause even when the last read is long ago: the snapshot may beat the store's commit
    // of the rows it reports by a few milliseconds.
    m_autoRefresh->start(int(std::max<qint64>(AutoRefreshPauseMs, AutoRefreshMs - elapsed)));
}

void HistoryPage::answered(const HistoryResult &result)
{
    if (result.query.serial != m_serial) {
        ++m_dropped; // the user has asked something newer meanwhile
        return;
    }
    ++m_shown;
    m_status->setText(tr("Updated %1").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))));
    m_shownQuery = result.query;
    if (!result.error.isEmpty()) {
        m_model->setRows({}, result.query.bucket, result.query.split);
        m_totals->clear();
        m_export->setEnabled(false);
        showState(tr("Cannot read the usage history: %1").arg(result.error), true);
        return;
    }
    m_model->setRows(result.rows, result.query.bucket, result.query.split);
    const UsageSeriesRow total = m_model->total();
    m_totals->setText(tr("%1 · %2 tokens · %3 requests %4")
                          .arg(ConsoleFormat::money(total.costMicros, m_currency),
                               ConsoleFormat::tokens(total.promptTokens + total.completionTokens),
                               ConsoleFormat::count(total.requests), m_rangePhrase));
    m_export->setEnabled(!result.rows.isEmpty());
    updateChart();
    if (result.rows.isEmpty())
        showState(tr("No requests in this range"), false);
    else
        m_stack->setCurrentIndex(0);
}

void HistoryPage::updateChart()
{
    // Keys in the order of their cost over the range, "other" last: the stacking and legend order.
    const QList<UsageSeriesRow> &rows = m_model->rows();
    QMap<QString, qint64> costOfKey;
    for (const UsageSeriesRow &row : rows)
        costOfKey[row.other ? QString() : QStringLiteral("k") + row.key] += row.costMicros;
    QStringList order = costOfKey.keys();
    order.removeAll(QString());
    std::stable_sort(order.begin(), order.end(), [&](const QString &a, const QString &b) { return costOfKey[a] > costOfKey[b]; });
    const bool hasOther = costOfKey.contains(QString());
    if (hasOther)
        order.append(QString());
    QStringList names;
    QList<int> keyOfRow;
    QHash<QString, int> index;
    for (int i = 0; i < order.size(); ++i)
        index.insert(order[i], i);
    names.resize(order.size());
    for (const UsageSeriesRow &row : rows) {
        const int k = index.value(row.other ? QString() : QStringLiteral("k") + row.key);
        names[k] = m_model->keyText(row);
        keyOfRow.append(k);
    }
    m_chart->setSeries(rows, HistoryBuckets::between(m_shownQuery.fromMs, m_shownQuery.toMs, m_shownQuery.bucket),
                       m_shownQuery.bucket, names, keyOfRow, hasOther ? int(order.size()) - 1 : -1);
}

void HistoryPage::showState(const QString &text, bool error)
{
    m_state->setText(text);
    QPalette palette = m_state->palette();
    palette.setColor(QPalette::WindowText, error ? ConsolePalette::readableOn(ConsolePalette::failure(), this->palette().color(QPalette::Window))
                                                 : ConsolePalette::mutedText(this->palette()));
    m_state->setPalette(palette);
    m_stack->setCurrentWidget(m_state);
}

void HistoryPage::exportClicked()
{
    const QString suggested = QStringLiteral("tokenfuse-history-%1.csv").arg(QDate::currentDate().toString(Qt::ISODate));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export CSV"), suggested, tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export CSV"), error);
    else
        m_status->setText(tr("Exported %n row(s) to %1", nullptr, m_model->rowCount()).arg(path));
}
