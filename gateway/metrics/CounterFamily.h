#pragma once

#include "SeriesIndex.h"

class PrometheusText;

// One counter metric with labels: `add` in O(1) per call, `render` writes the family.
class CounterFamily
{
public:
    CounterFamily(QByteArray name, QByteArray help, QList<QByteArray> labelNames, int maxSeries);

    void add(const QStringList &values, qint64 amount = 1);
    // 0 for a series never added to.
    qint64 value(const QStringList &values) const;
    qsizetype seriesCount() const { return m_series.size(); }
    void render(PrometheusText &out) const;

private:
    QByteArray m_name;
    QByteArray m_help;
    SeriesIndex m_series;
    QList<qint64> m_values;
};
