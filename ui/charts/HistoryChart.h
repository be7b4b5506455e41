#pragma once

#include "store/UsageQuery.h"
#include "store/UsageSeriesRow.h"
#include "widgets/CardFrame.h"

#include <QList>
#include <QStringList>

class QCategoryAxis;
class QChart;
class QChartView;
class QLabel;

// The History page's chart: a usage series per bucket, as bars stacked by key or as one line per
// key, cost or tokens on the vertical axis (nice 1-2-5 steps, labelled in money or tokens), local
// dates or hours along the bottom (a few labels whatever the range, every bucket of the range
// drawn, empty ones as zero). Rebuilt from scratch by setSeries(), which the page calls once per
// answer from the store, never per snapshot; animations off.
class HistoryChart : public CardFrame
{
    Q_OBJECT
public:
    enum class Metric { Cost, Tokens };
    enum class Style { Bars, Lines };

    explicit HistoryChart(QWidget *parent = nullptr);

    // rows as UsageQuery::series() gives them; buckets every bucket start of the range (oldest
    // first); keyNames the legend's names in stacking order, keyOfRow each row's index in them,
    // otherKey the index of the "other" fold (grey), or -1.
    void setSeries(const QList<UsageSeriesRow> &rows, const QList<qint64> &buckets, UsageQuery::Bucket bucket,
                   const QStringList &keyNames, const QList<int> &keyOfRow, int otherKey);
    void setMetric(Metric metric);
    void setStyle(Style style);
    void setCurrency(const QString &currencyCode);

    Metric metric() const { return m_metric; }
    Style style() const { return m_style; }
    // What is on screen now, for tests: keys (bar sets or lines), buckets, bars (one per key and
    // bucket when stacked, 0 otherwise), line points (one per key and bucket when lines), and the
    // sum of every plotted value (currency units or tokens).
    int keyCount() const;
    int bucketCount() const { return int(m_buckets.size()); }
    int barCount() const;
    int pointCount() const;
    double plottedTotal() const;
    QStringList axisLabels() const;
    QString title() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void styleAxes();
    void setUpTimeAxis();
    void setUpValueAxis(double maxValue);
    QString valueLabel(double value) const;

    QList<UsageSeriesRow> m_rows;
    QList<qint64> m_buckets;
    UsageQuery::Bucket m_bucket = UsageQuery::Bucket::Day;
    QStringList m_keyNames;
    QList<int> m_keyOfRow;
    int m_otherKey = -1;
    Metric m_metric = Metric::Cost;
    Style m_style = Style::Bars;
    QString m_currency = QStringLiteral("USD");

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLabel *m_title = nullptr;
    QCategoryAxis *m_timeAxis = nullptr;
    QCategoryAxis *m_valueAxis = nullptr;
};
