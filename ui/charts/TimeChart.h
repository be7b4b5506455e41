#pragma once

#include "charts/AxisScale.h"
#include "widgets/CardFrame.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QStringList>

class QAbstractSeries;
class QCategoryAxis;
class QChart;
class QChartView;
class QLabel;
class QXYSeries;

// The frame every live chart shares: a card with a title, a Qt chart with no animation, a time
// axis labelled with clock times at round minutes, and a value axis from zero to a round top
// whose labels carry the unit. Subclasses add their series and call setTimeSpan / setValueMax
// when they redraw. Read-back accessors let tests see what is plotted without looking at pixels.
class TimeChart : public CardFrame
{
    Q_OBJECT
public:
    TimeChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent = nullptr);

    void setCurrency(const QString &currencyCode);

    // What is plotted, series by series (the order of the legend); a series with nothing to show
    // (a band of zeros) has no points.
    int seriesCount() const;
    QString seriesName(int index) const;
    QList<QPointF> seriesPoints(int index) const;
    double valueAxisTop() const;
    QStringList valueTickLabels() const;
    QStringList timeTickLabels() const;
    // The legend's text, as people read it: "ok · 402 budget · ...".
    QString legendText() const;

protected:
    QChart *chart() const { return m_chart; }
    // Adds a series to the chart on both axes; `plotted` is the line whose points the accessors
    // return for it (an area's upper edge, say); `legend` false hides its legend marker.
    void addPlotted(QXYSeries *plotted, bool legend = true);
    void attach(QAbstractSeries *series);
    // `visible`: the series is plotted (the accessors count it); `drawn` false leaves it out of
    // the picture all the same, for a series with nothing to show (a band of zeros).
    void setPlottedVisible(int index, bool visible, const QString &name = QString(), bool drawn = true);
    struct LegendEntry
    {
        QString name;
        QColor colour;
        bool line = false;
        bool dashed = false;
    };
    // The legend above the plot: a label of coloured keys (Qt Charts' own legend is off).
    void setLegend(const QList<LegendEntry> &entries);
    void setAntialiased(bool on);
    void setTimeSpan(qint64 fromSecond, qint64 toSecond);
    // Where a second (since the epoch) goes on the time axis. The axis is plotted relative to the
    // end of the span, so its range stays put while the span slides: a new range makes Qt Charts
    // recompute every series' geometry (a stroked outline of every line), on top of the replace()
    // that already does it, and the span slides every second. The read-back accessors give
    // seconds since the epoch again.
    double plotX(double second) const { return second - double(m_origin); }
    void setValueMax(double dataMax);
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    AxisScale::Unit m_unit;
    QString m_currency = QStringLiteral("USD");
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLabel *m_legend = nullptr;
    QList<LegendEntry> m_legendEntries;
    QCategoryAxis *m_time = nullptr;
    QCategoryAxis *m_values = nullptr;
    QList<QXYSeries *> m_plotted;
    QList<bool> m_inLegend;
    QList<bool> m_shown;
    qint64 m_from = -1;
    qint64 m_to = -1;
    qint64 m_origin = 0; // the second plotted at x = 0: the end of the span
    double m_dataMax = 0.0;
    AxisScale::Ticks m_ticks;
    bool m_ticksSet = false;
};
