#include "StackedAreaChart.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QPen>

#include <algorithm>

StackedAreaChart::StackedAreaChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent)
    : TimeChart(key, title, unit, parent)
{
    // Bands of 300 points look the same at this size without antialiasing (only their edges would
    // be softer), and painting them takes a third of the time: with it, painting one chart held
    // the GUI thread for 6 ms of processor time, which a saturated machine stretches to 30 ms and
    // more (bench_console_replay, bench/console/run.sh). The latency chart's lines keep it.
    setAntialiased(false);
}

void StackedAreaChart::grow(int bands)
{
    while (m_bands.size() < bands) {
        Band band;
        band.area = new QAreaSeries;
        band.upper = new QLineSeries(band.area);
        band.lower = new QLineSeries(band.area);
        band.area->setUpperSeries(band.upper);
        band.area->setLowerSeries(band.lower);
        chart()->addSeries(band.area);
        attach(band.area);
        addPlotted(band.upper);
        m_bands.append(band);
    }
}

void StackedAreaChart::setLayers(qint64 fromSecond, qint64 toSecond, int secondsPerPoint, const QList<Layer> &layers)
{
    m_layers = layers;
    grow(int(layers.size()));
    setTimeSpan(fromSecond, toSecond);

    int points = 0;
    for (const Layer &layer : layers)
        points = std::max(points, int(layer.values.size()));
    QList<double> base(points, 0.0);
    // One point per group, at the middle of its seconds: at most ~300 points per line.
    const auto edge = [&](const QList<double> &heights) {
        QList<QPointF> line;
        line.reserve(points);
        for (int i = 0; i < points; ++i)
            line.append({plotX(double(fromSecond + qint64(i) * secondsPerPoint) + secondsPerPoint / 2.0), heights.at(i)});
        return line;
    };
    double top = 0.0;
    for (int b = 0; b < m_bands.size(); ++b) {
        Band &band = m_bands[b];
        if (b >= layers.size()) {
            setPlottedVisible(b, false);
            continue;
        }
        const Layer &layer = layers.at(b);
        // A band of zeros is a line on top of the one below it: not drawn (its outline across
        // the top of the stack, and its share of the painting, for nothing), still plotted.
        const bool empty = std::none_of(layer.values.begin(), layer.values.end(), [](double v) { return v > 0.0; });
        setPlottedVisible(b, true, layer.name, !empty);
        if (empty) {
            if (!band.upper->points().isEmpty())
                band.upper->replace(QList<QPointF>()); // the accessors read no points for it
            continue;
        }
        QList<double> upper = base;
        for (int i = 0; i < layer.values.size(); ++i)
            upper[i] += std::max(0.0, layer.values.at(i));
        band.lower->replace(edge(base));
        band.upper->replace(edge(upper));
        base = upper;
        QColor fill = layer.colour;
        fill.setAlphaF(0.78f);
        if (band.area->color() != fill) {
            band.area->setColor(fill);
            band.area->setBorderColor(layer.colour);
            QPen border(layer.colour, 1.0);
            border.setCosmetic(true); // one device pixel, like the grid
            band.area->setPen(border);
        }
    }
    for (const double v : base)
        top = std::max(top, v);
    setValueMax(top);
    QList<LegendEntry> legend;
    for (const Layer &layer : layers)
        legend.append({layer.name, layer.colour, false, false});
    setLegend(legend);
}
