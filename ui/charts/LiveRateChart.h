#pragma once

#include "widgets/CardFrame.h"

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QTimer;
class QValueAxis;
class RateHistory;

// Tokens per second and requests per second over the last few minutes, drawn from a RateHistory.
// Redraws on its own timer (twice a second) with whole-series replace(), never per point, and
// only when the history has changed; animations are off. The history belongs to the caller.
class LiveRateChart : public CardFrame
{
    Q_OBJECT
public:
    explicit LiveRateChart(QWidget *parent = nullptr);

    // The history to draw; it must outlive the chart's use of it (or be reset to nullptr).
    void setHistory(const RateHistory *history);

    // Points currently plotted per series: at most the history's capacity.
    int plottedPointCount() const;
    int refreshIntervalMs() const;

public slots:
    // Redraws now if the history has changed since the last redraw; the timer calls this too.
    void refresh();

private:
    void setUpAxes();
    static void rescale(QValueAxis *axis, double dataMax, double floorMax);

    const RateHistory *m_history = nullptr;
    quint64 m_plottedRevision = 0;
    bool m_plottedOnce = false;

    QLabel *m_now = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLineSeries *m_tokens = nullptr;
    QLineSeries *m_tokensBaseline = nullptr;
    QLineSeries *m_requests = nullptr;
    QValueAxis *m_tokensAxis = nullptr;
    QValueAxis *m_requestsAxis = nullptr;
    QTimer *m_timer = nullptr;
};
