#include "RequestsPage.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "RequestDetails.h"
#include "RequestFilter.h"
#include "RequestLogModel.h"
#include "widgets/FigureLabel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace {

struct ColumnWidth
{
    int column;
    int width;
};

// Fixed widths: sizing to contents would measure thousands of rows four times a second.
constexpr ColumnWidth DefaultWidths[] = {
    {RequestLogModel::Time, 76},     {RequestLogModel::Status, 56},   {RequestLogModel::Model, 150},
    {RequestLogModel::Session, 150}, {RequestLogModel::Tenant, 80},   {RequestLogModel::Endpoint, 150},
    {RequestLogModel::TokensIn, 60}, {RequestLogModel::TokensOut, 60}, {RequestLogModel::Cost, 76},
    {RequestLogModel::Latency, 70},  {RequestLogModel::Ttft, 64},
};

} // namespace

RequestsPage::RequestsPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new RequestLogModel(this))
    , m_filter(new RequestFilter(this))
    , m_table(new QTableView(this))
    , m_details(new RequestDetails(this))
{
    setObjectName(QStringLiteral("requestsPage"));
    m_filter->setSourceModel(m_model);

    m_table->setObjectName(QStringLiteral("requestsTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RequestLogModel::Time, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle); // session and model ids differ at their ends
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setHighlightSections(false);
    for (const ColumnWidth &w : DefaultWidths)
        m_table->setColumnWidth(w.column, w.width);
    header->setSectionResizeMode(RequestLogModel::Endpoint, QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RequestsPage::selectionChanged);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("requestsSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    m_table->setMinimumHeight(120);
    split->setSizes({260, 300});

    m_skipped = new QLabel(this);
    m_skipped->setObjectName(QStringLiteral("requestsSkipped"));
    m_skipped->setWordWrap(true);
    ConsolePalette::makeMuted(m_skipped);
    m_skipped->hide();

    QWidget *toolbar = buildToolbar();
    auto *bottom = new QHBoxLayout;
    bottom->setSpacing(16);
    bottom->addWidget(m_count);
    bottom->addWidget(m_skipped, 1);
    bottom->addStretch(0); // the count keeps to the left while the line beside it is hidden

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(toolbar);
    layout->addWidget(split, 1);
    layout->addLayout(bottom);
    updateCount();
}

QComboBox *RequestsPage::addChoice(QWidget *bar, const QString &objectName, const QString &anyText)
{
    auto *box = new QComboBox(bar);
    box->setObjectName(objectName);
    box->addItem(anyText, QString());
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(7);
    return box;
}

QWidget *RequestsPage::buildToolbar()
{
    auto *bar = new QWidget(this);
    m_text = new QLineEdit(bar);
    m_text->setObjectName(QStringLiteral("requestFilterText"));
    m_text->setPlaceholderText(tr("Filter: id, model, session, tenant, error"));
    m_text->setClearButtonEnabled(true);
    m_text->setMinimumWidth(150);
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setText(text);
        updateCount();
    });

    m_status = new QComboBox(bar);
    m_status->setObjectName(QStringLiteral("requestStatusFilter"));
    m_status->addItem(tr("All statuses"), int(RequestFilter::Status::All));
    m_status->addItem(tr("OK"), int(RequestFilter::Status::Ok));
    m_status->addItem(tr("Errors"), int(RequestFilter::Status::Errors));
    m_status->addItem(tr("Refused"), int(RequestFilter::Status::Refused));
    m_status->addItem(tr("Upstream 5xx"), int(RequestFilter::Status::UpstreamErrors));
    m_status->setToolTip(tr("Refused: TokenFuse said no (402 budget, 429 rate limit, 403 stopped session). "
                            "Upstream 5xx: the provider failed, timed out or went away."));
    connect(m_status, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_filter->setStatus(RequestFilter::Status(m_status->itemData(i).toInt()));
        updateCount();
    });

    m_models = addChoice(bar, QStringLiteral("requestModelFilter"), tr("All models"));
    m_sessions = addChoice(bar, QStringLiteral("requestSessionFilter"), tr("All sessions"));
    m_endpoints = addChoice(bar, QStringLiteral("requestEndpointFilter"), tr("All endpoints"));
    const auto choose = [this](QComboBox *box, void (RequestFilter::*set)(const QString &)) {
        connect(box, &QComboBox::currentIndexChanged, this, [this, box, set](int i) {
            (m_filter->*set)(box->itemData(i).toString());
            updateCount();
        });
    };
    choose(m_models, &RequestFilter::setModelName);
    choose(m_sessions, &RequestFilter::setSession);
    choose(m_endpoints, &RequestFilter::setEndpoint);

    m_refusedOnly = new QCheckBox(tr("&Refused only"), bar);
    m_refusedOnly->setObjectName(QStringLiteral("requestRefusedOnly"));
    m_refusedOnly->setToolTip(tr("Only what TokenFuse said no to: budget (402), rate limit (429), stopped session (403)"));
    connect(m_refusedOnly, &QCheckBox::toggled, this, [this](bool on) {
        m_filter->setRefusedOnly(on);
        updateCount();
    });

    m_follow = new QCheckBox(tr("&Follow latest"), bar);
    m_follow->setObjectName(QStringLiteral("requestFollow"));
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Off: the table holds still while you read; new requests wait and come in when you turn it back on"));
    connect(m_follow, &QCheckBox::toggled, this, &RequestsPage::followChanged);

    m_count = new FigureLabel(QString(), this);
    m_count->setObjectName(QStringLiteral("requestCount"));
    ConsolePalette::makeMuted(m_count);

    // Two rows, so the page fits a window on half of a full-HD screen: the text and the toggles,
    // then the choices.
    auto *layout = new QGridLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setHorizontalSpacing(8);
    layout->setVerticalSpacing(6);
    auto *first = new QHBoxLayout;
    first->setSpacing(12);
    first->addWidget(m_text, 1);
    first->addWidget(m_refusedOnly);
    first->addWidget(m_follow);
    auto *second = new QHBoxLayout;
    second->setSpacing(8);
    second->addWidget(m_status);
    second->addWidget(m_models, 1);
    second->addWidget(m_sessions, 1);
    second->addWidget(m_endpoints, 1);
    layout->addLayout(first, 0, 0);
    layout->addLayout(second, 1, 0);
    return bar;
}

void RequestsPage::setCurrency(const QString &currencyCode)
{
    m_model->setCurrency(currencyCode);
    m_details->setCurrency(currencyCode);
}

void RequestsPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    if (snapshot.recordedSkipped > 0) {
        // The figure goes in the count; this wrapped sentence stays as it is, so a busy gateway
        // does not re-lay out the page four times a second for it.
        m_skippedTotal += snapshot.recordedSkipped;
        if (m_skipped->isHidden()) {
            m_skipped->setText(tr("Not shown: when more than %1 requests end within one update, the rest are not listed here. They are all counted and stored (History page, GET /admin/v1/usage).")
                                   .arg(GatewaySnapshot::MaxRecorded));
            m_skipped->show();
        }
    }
    if (!snapshot.recorded.isEmpty() && m_follow->isChecked() && isVisible()) {
        takeRows(snapshot.recorded); // counts them too
        return;
    }
    if (!snapshot.recorded.isEmpty()) {
        // Whole snapshots' lists, shared, not copied row by row; what the ring would drop anyway
        // goes at once.
        m_waiting.append(snapshot.recorded);
        m_waitingRows += snapshot.recorded.size();
        while (m_waitingRows - m_waiting.first().size() >= m_model->capacity())
            m_waitingRows -= m_waiting.takeFirst().size();
    }
    // Out of sight the count is brought up to date when the page is shown.
    if (isVisible() && (snapshot.recordedSkipped > 0 || !snapshot.recorded.isEmpty()))
        updateCount();
}

void RequestsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_follow->isChecked() || !takeWaiting())
        updateCount(); // it is not kept up to date out of sight
}

bool RequestsPage::takeWaiting()
{
    if (m_waiting.isEmpty())
        return false;
    QList<UsageRecord> rows;
    rows.reserve(std::min<qsizetype>(m_waitingRows, m_model->capacity()));
    qsizetype skip = std::max<qsizetype>(0, m_waitingRows - m_model->capacity());
    for (const QList<UsageRecord> &batch : std::as_const(m_waiting)) {
        const qsizetype from = std::min(skip, batch.size());
        skip -= from;
        rows.append(batch.begin() + from, batch.end());
    }
    m_waiting.clear();
    m_waitingRows = 0;
    takeRows(rows);
    return true;
}

void RequestsPage::takeRows(const QList<UsageRecord> &rows)
{
    m_model->append(rows);
    refreshChoices();
    updateCount();
}

void RequestsPage::followChanged(bool follow)
{
    if (!follow)
        return;
    takeWaiting();
    m_table->scrollToTop();
}

void RequestsPage::refreshChoices()
{
    const auto refresh = [](QComboBox *box, const QStringList &values) {
        if (box->count() == values.size() + 1) {
            bool same = true;
            for (int i = 0; same && i < values.size(); ++i)
                same = box->itemData(i + 1).toString() == values.at(i);
            if (same)
                return;
        }
        const QString current = box->currentData().toString();
        const QSignalBlocker quiet(box); // the filter stays as it is: only the list changes
        while (box->count() > 1)
            box->removeItem(1);
        for (const QString &v : values)
            box->addItem(v, v);
        if (!current.isEmpty() && !values.contains(current))
            box->addItem(current, current); // still filtering on it, though no row has it now
        box->setCurrentIndex(qMax(0, box->findData(current)));
    };
    refresh(m_models, m_model->models());
    refresh(m_sessions, m_model->sessions());
    refresh(m_endpoints, m_model->endpoints());
}

void RequestsPage::showSession(const QString &sessionId)
{
    m_text->clear();
    m_status->setCurrentIndex(0);
    m_models->setCurrentIndex(0);
    m_endpoints->setCurrentIndex(0);
    m_refusedOnly->setChecked(false);
    m_follow->setChecked(true); // what waited comes in, so "latest" is the latest
    takeWaiting();               // (also when the page is not in sight yet)
    int index = m_sessions->findData(sessionId);
    if (index < 0) {
        m_sessions->addItem(sessionId, sessionId);
        index = m_sessions->count() - 1;
    }
    m_sessions->setCurrentIndex(index);
    // Rows are newest first in the model, whatever the view's sort.
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->recordAt(row).session != sessionId)
            continue;
        const QModelIndex proxy = m_filter->mapFromSource(m_model->index(row, RequestLogModel::Time));
        m_table->selectionModel()->setCurrentIndex(proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(proxy);
        return;
    }
    m_table->selectionModel()->clearSelection();
}

void RequestsPage::selectionChanged()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_selectedId = rows.isEmpty() ? QString() : rows.first().data(RequestLogModel::IdRole).toString();
    const int row = m_selectedId.isEmpty() ? -1 : m_model->rowOf(m_selectedId);
    m_details->showRecord(row < 0 ? nullptr : &m_model->recordAt(row));
}

void RequestsPage::updateCount()
{
    using ConsoleFormat::count;
    const int shown = m_filter->rowCount();
    const int held = m_model->rowCount();
    QString text = held == 0 ? tr("No requests yet")
        : shown == held      ? tr("%1 requests").arg(count(held))
                             : tr("%1 of %2 requests").arg(count(shown), count(held));
    if (m_skippedTotal > 0)
        text += tr(" · %1 not shown").arg(count(m_skippedTotal));
    if (m_waitingRows > 0)
        text += tr(" · %1 new waiting").arg(count(std::min<qsizetype>(m_waitingRows, m_model->capacity())));
    m_count->setFigure(text);
}
