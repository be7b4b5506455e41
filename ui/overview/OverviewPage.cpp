#include "OverviewPage.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "charts/LineChart.h"
#include "charts/StackedAreaChart.h"
#include "charts/StateTimeline.h"
#include "core/GatewaySnapshot.h"
#include "widgets/CounterTile.h"
#include "widgets/TileGrid.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int RateWindowSeconds = 5; // the headline's "now" rates
} // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("overviewPage"));

    m_tokensChart = new StackedAreaChart(QStringLiteral("tokens"), tr("Tokens per second"), AxisScale::Unit::TokensPerSecond);
    m_costChart = new StackedAreaChart(QStringLiteral("cost"), tr("Cost per minute"), AxisScale::Unit::MoneyPerMinute);
    m_requestsChart = new StackedAreaChart(QStringLiteral("requests"), tr("Requests per second, by outcome"),
                                           AxisScale::Unit::RequestsPerSecond);
    m_latencyChart = new LineChart(QStringLiteral("latency"), tr("Latency and time to first token"), AxisScale::Unit::Milliseconds);
    m_timeline = new StateTimeline;

    auto *charts = new QGridLayout;
    charts->setSpacing(12);
    charts->addWidget(m_tokensChart, 0, 0);
    charts->addWidget(m_costChart, 0, 1);
    charts->addWidget(m_requestsChart, 1, 0);
    charts->addWidget(m_latencyChart, 1, 1);
    for (int i = 0; i < 2; ++i) {
        charts->setColumnStretch(i, 1);
        charts->setRowStretch(i, 1);
    }

    auto *content = new QWidget;
    content->setObjectName(QStringLiteral("overviewContent"));
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(buildTiles());
    layout->addWidget(buildControls());
    layout->addLayout(charts, 1);
    layout->addWidget(m_timeline);

    // Small windows scroll rather than squeeze the charts flat.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("overviewScroll"));
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    // One chart a tick, each in its turn: drawing all five in one go held the GUI thread for over
    // 100 ms on a loaded 2-core machine (bench/console); one at a time stays well under 50.
    m_timer->setInterval(RedrawIntervalMs / Parts);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            redrawPart(m_nextPart);
        m_nextPart = (m_nextPart + 1) % Parts;
    });
    m_timer->start();
    updateTiles(GatewaySnapshot{});
    redraw();
}

QWidget *OverviewPage::buildTiles()
{
    auto *tiles = new TileGrid;
    tiles->setObjectName(QStringLiteral("counterTiles"));
    m_spend = new CounterTile(QStringLiteral("spendToday"), tr("Spend today"), tiles);
    m_spendBar = new QProgressBar(m_spend);
    m_spendBar->setObjectName(QStringLiteral("spendTodayBar"));
    m_spendBar->setRange(0, 1000);
    m_spendBar->setTextVisible(false);
    m_spendBar->setFixedHeight(5);
    m_spendBar->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed); // the figures set the tile's width
    if (auto *box = qobject_cast<QVBoxLayout *>(m_spend->layout()))
        box->insertWidget(box->count() - 1, m_spendBar);
    m_requests = new CounterTile(QStringLiteral("requests"), tr("Requests"), tiles);
    m_inFlight = new CounterTile(QStringLiteral("inFlight"), tr("In flight"), tiles);
    m_sessions = new CounterTile(QStringLiteral("sessions"), tr("Active sessions"), tiles);
    m_tokens = new CounterTile(QStringLiteral("tokens"), tr("Tokens"), tiles);
    m_failures = new CounterTile(QStringLiteral("failures"), tr("Failures"), tiles);
    for (CounterTile *tile : {m_spend, m_requests, m_inFlight, m_sessions, m_tokens, m_failures})
        tiles->addTile(tile);
    return tiles;
}

QWidget *OverviewPage::buildControls()
{
    auto *bar = new QWidget;
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(0);
    const auto segmented = [bar, row](QButtonGroup *group, const QList<std::pair<QString, QString>> &buttons) {
        for (int i = 0; i < buttons.size(); ++i) {
            auto *button = new QToolButton(bar);
            button->setObjectName(buttons.at(i).first);
            button->setText(buttons.at(i).second);
            button->setCheckable(true);
            button->setAutoRaise(false);
            button->setFocusPolicy(Qt::StrongFocus);
            // Wide enough for the bold text, so checking a segment does not shift the row.
            QFont bold = button->font();
            bold.setBold(true);
            const QString plain = QString(buttons.at(i).second).remove(QLatin1Char('&'));
            button->setMinimumWidth(std::max(64, QFontMetrics(bold).horizontalAdvance(plain) + 20));
            // The checked segment in bold as well: some palettes barely shade a checked button.
            QObject::connect(button, &QToolButton::toggled, button, [button](bool on) {
                QFont f = button->font();
                f.setBold(on);
                button->setFont(f);
            });
            group->addButton(button, i);
            row->addWidget(button);
        }
    };
    auto *rangeCaption = new QLabel(tr("Last"), bar);
    ConsolePalette::makeMuted(rangeCaption);
    rangeCaption->setContentsMargins(0, 0, 8, 0);
    row->addWidget(rangeCaption);
    m_rangeButtons = new QButtonGroup(this);
    segmented(m_rangeButtons, {{QStringLiteral("range5Button"), tr("&5 min")},
                               {QStringLiteral("range15Button"), tr("1&5 min")},
                               {QStringLiteral("range60Button"), tr("&60 min")}});
    row->addSpacing(24);
    auto *splitCaption = new QLabel(tr("Tokens and cost"), bar);
    ConsolePalette::makeMuted(splitCaption);
    splitCaption->setContentsMargins(0, 0, 8, 0);
    row->addWidget(splitCaption);
    m_splitButtons = new QButtonGroup(this);
    segmented(m_splitButtons, {{QStringLiteral("byModelButton"), tr("by &model")}, {QStringLiteral("byTenantButton"), tr("by &tenant")}});
    row->addStretch(1);
    // Alt+5, Alt+1, Alt+6 pick the range, Alt+M and Alt+T the split (the buttons' mnemonics).
    m_rangeButtons->button(int(m_range))->setChecked(true);
    m_splitButtons->button(int(m_split))->setChecked(true);
    connect(m_rangeButtons, &QButtonGroup::idClicked, this, [this](int id) { setRange(Range(id)); });
    connect(m_splitButtons, &QButtonGroup::idClicked, this, [this](int id) { setSplit(OverviewSeries::Split(id)); });
    return bar;
}

int OverviewPage::rangeSeconds(Range range)
{
    switch (range) {
    case Range::FiveMinutes: return 5 * 60;
    case Range::FifteenMinutes: return 15 * 60;
    case Range::SixtyMinutes: return 60 * 60;
    }
    return 15 * 60;
}

void OverviewPage::setRange(Range range)
{
    m_range = range;
    m_rangeButtons->button(int(range))->setChecked(true);
    m_stale.fill(true);
    redraw();
}

void OverviewPage::setSplit(OverviewSeries::Split split)
{
    m_split = split;
    m_splitButtons->button(int(split))->setChecked(true);
    m_stale.fill(true);
    redraw();
}

void OverviewPage::setCurrency(const QString &currencyCode)
{
    m_currency = currencyCode;
    m_costChart->setCurrency(currencyCode);
    updateSpend();
    m_stale.fill(true);
}

void OverviewPage::applySnapshot(const GatewaySnapshot &snapshot)
{
    m_series.add(snapshot);
    const qint64 now = snapshot.takenAtMs > 0 ? snapshot.takenAtMs : QDateTime::currentMSecsSinceEpoch();
    m_stops.apply(snapshot.sessions, now);
    m_breakers.apply(snapshot.upstreamTransitions, snapshot.upstreamViews, now);
    updateTiles(snapshot);
}

void OverviewPage::redraw()
{
    for (int part = 0; part < Parts; ++part)
        redrawPart(part);
}

void OverviewPage::redrawPart(int part)
{
    if (!m_stale[part] && m_drawnRevision[part] == m_series.revision())
        return;
    m_stale[part] = false;
    m_drawnRevision[part] = m_series.revision();
    const OverviewSeries::Window w = m_series.window(rangeSeconds(m_range));
    switch (part) {
    case 0: return m_tokensChart->setLayers(w.from, w.to, w.secondsPerPoint, m_series.tokenLayers(m_split, w));
    case 1: return m_costChart->setLayers(w.from, w.to, w.secondsPerPoint, m_series.costLayers(m_split, w));
    case 2: return m_requestsChart->setLayers(w.from, w.to, w.secondsPerPoint, m_series.outcomeLayers(w));
    case 3: return m_latencyChart->setLines(w.from, w.to, w.secondsPerPoint, m_series.latencyLines(w));
    default: break;
    }
    const qint64 toMs = (w.to + 1) * 1000;
    const qint64 fromMs = w.from * 1000;
    // Upstreams first: there are few of them, and one down affects every session using it.
    QList<StateTimeline::Lane> lanes;
    if (!w.isEmpty())
        lanes = m_breakers.lanes(fromMs, toMs) + m_stops.lanes(fromMs, toMs);
    m_timeline->setLanes(fromMs, toMs, lanes);
    m_timeline->setEmptyText(tr("No session was tripped or killed and no upstream was down in the last %1 minutes.")
                                 .arg(rangeSeconds(m_range) / 60));
}

void OverviewPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    redraw();
}

void OverviewPage::updateTiles(const GatewaySnapshot &snapshot)
{
    m_spentTodayMicros = snapshot.spentTodayMicros;
    m_dayCapMicros = snapshot.dayCapMicros;
    m_dayCapRule = snapshot.dayCapRule;
    updateSpend();

    m_requests->setValue(ConsoleFormat::count(snapshot.requestsTotal));
    m_requests->setDetail(ConsoleFormat::rate(m_series.requestsPerSecond(RateWindowSeconds), tr("req/s")));

    m_inFlight->setValue(ConsoleFormat::count(snapshot.inFlight));
    m_inFlight->setDetail(snapshot.openConnections == 1 ? tr("1 connection")
                                                        : tr("%1 connections").arg(ConsoleFormat::count(snapshot.openConnections)));
    m_inFlight->setToolTip(tr("Requests being answered now, over %1 open client connections").arg(ConsoleFormat::count(snapshot.openConnections)));

    m_sessions->setValue(ConsoleFormat::count(snapshot.sessionsActive));
    m_sessions->setDetail(tr("%1 tripped · %2 killed")
                              .arg(ConsoleFormat::count(snapshot.sessionsTripped), ConsoleFormat::count(snapshot.sessionsKilled)));
    // No alert colour: the active count is not bad news; the stopped ones have the timeline.

    m_tokens->setValue(ConsoleFormat::tokens(snapshot.promptTokens + snapshot.completionTokens));
    m_tokens->setDetail(tr("%1 in · %2 out")
                            .arg(ConsoleFormat::tokens(snapshot.promptTokens), ConsoleFormat::tokens(snapshot.completionTokens)));
    m_tokens->setToolTip(tr("%1 prompt tokens in, %2 completion tokens out")
                             .arg(ConsoleFormat::count(snapshot.promptTokens), ConsoleFormat::count(snapshot.completionTokens)));

    m_failures->setValue(ConsoleFormat::count(snapshot.requestsFailed));
    m_failures->setDetail(snapshot.requestsFailed == 0
                              ? tr("none so far")
                              : tr("%1 of requests").arg(ConsoleFormat::percent(snapshot.requestsFailed, snapshot.requestsTotal)));
    m_failures->setAlert(snapshot.requestsFailed > 0);
}

void OverviewPage::updateSpend()
{
    m_spend->setValue(ConsoleFormat::money(m_spentTodayMicros, m_currency));
    const bool capped = m_dayCapMicros > 0;
    if (m_spendBar->isVisibleTo(m_spend) != capped)
        m_spendBar->setVisible(capped);
    if (!capped) {
        m_spend->setDetail(tr("no daily cap"));
        m_spend->setToolTip(tr("No global daily budget caps today's spend."));
        m_spend->setAlert(false);
        return;
    }
    const double fraction = double(m_spentTodayMicros) / double(m_dayCapMicros);
    m_spend->setDetail(tr("of %1 · %2").arg(ConsoleFormat::money(m_dayCapMicros, m_currency),
                                                ConsoleFormat::percent(m_spentTodayMicros, m_dayCapMicros)));
    m_spend->setToolTip(tr("Today's cap comes from the budget rule \"%1\".").arg(m_dayCapRule));
    m_spend->setAlert(fraction >= 1.0);
    const int permille = int(std::clamp(fraction, 0.0, 1.0) * 1000.0);
    if (m_spendBar->value() != permille)
        m_spendBar->setValue(permille);
    QPalette bar = m_spendBar->palette();
    const QColor fill = fraction >= 1.0 ? ConsolePalette::failure() : fraction >= 0.8 ? ConsolePalette::pending() : ConsolePalette::success();
    if (bar.color(QPalette::Highlight) != fill) {
        bar.setColor(QPalette::Highlight, fill);
        m_spendBar->setPalette(bar);
    }
}
