#pragma once

#include "charts/TimeChart.h"

#include <QColor>

class QAreaSeries;
class QLineSeries;

// Rates stacked on top of each other over time (tokens per second by model, requests per second
// by outcome, ...): one filled band per layer, the first at the bottom. The bands are a pool of
// area series made once and reused, so a redraw is one replace() per line.
class StackedAreaChart : public TimeChart
{
    Q_OBJECT
public:
    struct Layer
    {
        QString name;
        QColor colour;
        QList<double> values; // one per point, >= 0
    };

    StackedAreaChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent = nullptr);

    // Redraws: point i covers the seconds from fromSecond + i * secondsPerPoint; the time axis
    // spans fromSecond..toSecond.
    void setLayers(qint64 fromSecond, qint64 toSecond, int secondsPerPoint, const QList<Layer> &layers);

    // The layers as given to the last setLayers (not stacked), for tests and tooltips.
    const QList<Layer> &layers() const { return m_layers; }

private:
    void grow(int bands);

    struct Band
    {
        QAreaSeries *area = nullptr;
        QLineSeries *upper = nullptr;
        QLineSeries *lower = nullptr;
    };
    QList<Band> m_bands;
    QList<Layer> m_layers;
};
