#pragma once

#include "charts/TimeChart.h"

#include <QColor>

class QLineSeries;

// Values over time as lines (latency percentiles, ...). A point below zero means "no data in
// these seconds": the line holds the previous value through it (an idle gateway keeps its last
// known latency rather than dropping to zero), and starts at the first point with data.
class LineChart : public TimeChart
{
    Q_OBJECT
public:
    struct Line
    {
        QString name;
        QColor colour;
        bool dashed = false;
        QList<double> values; // one per point; < 0: no data
    };

    LineChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent = nullptr);

    void setLines(qint64 fromSecond, qint64 toSecond, int secondsPerPoint, const QList<Line> &lines);
    const QList<Line> &lines() const { return m_lines; }

private:
    QList<QLineSeries *> m_series;
    QList<Line> m_lines;
};
