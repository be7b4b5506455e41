#pragma once

#include "overview/BreakerLog.h"
#include "overview/OverviewSeries.h"
#include "overview/StopLog.h"

#include <QWidget>

#include <array>

class CounterTile;
class LineChart;
class QButtonGroup;
class QProgressBar;
class QTimer;
class StackedAreaChart;
class StateTimeline;
struct GatewaySnapshot;

// The console's first page: headline figures (spend today against its cap, requests, in flight,
// sessions, tokens, failures) over live charts of the last 5, 15 or 60 minutes (tokens and cost
// stacked by model or tenant, requests by outcome, latency, stopped sessions and upstreams down). applySnapshot only
// writes into ring buffers and sets the tiles' texts; the charts redraw on a timer, once a
// second (the rings hold one-second buckets: each redraw shows the second just ended), and only
// while the page is visible.
class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    enum class Range { FiveMinutes, FifteenMinutes, SixtyMinutes };
    static constexpr int RedrawIntervalMs = 1000;

    explicit OverviewPage(QWidget *parent = nullptr);

    void applySnapshot(const GatewaySnapshot &snapshot);
    void setCurrency(const QString &currencyCode);

    void setRange(Range range);
    Range range() const { return m_range; }
    static int rangeSeconds(Range range);
    void setSplit(OverviewSeries::Split split);
    OverviewSeries::Split split() const { return m_split; }

public slots:
    // Redraws the charts from the rings now (the timer calls it while the page is visible).
    void redraw();

protected:
    // Catches up at once when the page comes into view (it does not redraw while hidden).
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildTiles();
    QWidget *buildControls();
    void updateTiles(const GatewaySnapshot &snapshot);
    void updateSpend();

    OverviewSeries m_series;
    StopLog m_stops;
    BreakerLog m_breakers;
    Range m_range = Range::FifteenMinutes;
    OverviewSeries::Split m_split = OverviewSeries::Split::ByModel;
    QString m_currency = QStringLiteral("USD");
    // The five parts redrawn in turn: tokens, cost, requests, latency, the state timeline.
    static constexpr int Parts = 5;
    void redrawPart(int part);
    int m_nextPart = 0;
    std::array<quint64, Parts> m_drawnRevision{};
    std::array<bool, Parts> m_stale{true, true, true, true, true}; // range, split or currency changed since

    // Headline figures kept for a currency change.
    qint64 m_spentTodayMicros = 0;
    qint64 m_dayCapMicros = -1;
    QString m_dayCapRule;

    CounterTile *m_spend = nullptr;
    QProgressBar *m_spendBar = nullptr;
    CounterTile *m_requests = nullptr;
    CounterTile *m_inFlight = nullptr;
    CounterTile *m_sessions = nullptr;
    CounterTile *m_tokens = nullptr;
    CounterTile *m_failures = nullptr;
    QButtonGroup *m_rangeButtons = nullptr;
    QButtonGroup *m_splitButtons = nullptr;
    StackedAreaChart *m_tokensChart = nullptr;
    StackedAreaChart *m_costChart = nullptr;
    StackedAreaChart *m_requestsChart = nullptr;
    LineChart *m_latencyChart = nullptr;
    StateTimeline *m_timeline = nullptr;
    QTimer *m_timer = nullptr;
};
