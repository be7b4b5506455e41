#include "LineChart.h"

#include <QChart>
#include <QLineSeries>
#include <QPen>

#include <algorithm>

LineChart::LineChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent)
    : TimeChart(key, title, unit, parent)
{
}

void LineChart::setLines(qint64 fromSecond, qint64 toSecond, int secondsPerPoint, const QList<Line> &lines)
{
    m_lines = lines;
    while (m_series.size() < lines.size()) {
        auto *series = new QLineSeries;
        chart()->addSeries(series);
        attach(series);
        addPlotted(series);
        m_series.append(series);
    }
    setTimeSpan(fromSecond, toSecond);

    double top = 0.0;
    for (int l = 0; l < m_series.size(); ++l) {
        if (l >= lines.size()) {
            setPlottedVisible(l, false);
            continue;
        }
        const Line &line = lines.at(l);
        QList<QPointF> points;
        points.reserve(line.values.size());
        double held = -1.0;
        for (int i = 0; i < line.values.size(); ++i) {
            if (line.values.at(i) >= 0.0)
                held = line.values.at(i);
            if (held < 0.0)
                continue;
            // The middle of the point's seconds, so lines of different ranges line up with the bands.
            points.append({plotX(double(fromSecond + qint64(i) * secondsPerPoint) + secondsPerPoint / 2.0), held});
            top = std::max(top, held);
        }
        m_series.at(l)->replace(points);
        QPen pen(line.colour, 2.0);
        if (line.dashed)
            pen.setStyle(Qt::DashLine);
        if (m_series.at(l)->pen() != pen)
            m_series.at(l)->setPen(pen);
        setPlottedVisible(l, true, line.name);
    }
    setValueMax(top);
    QList<LegendEntry> legend;
    for (const Line &line : lines)
        legend.append({line.name, line.colour, true, line.dashed});
    setLegend(legend);
}
