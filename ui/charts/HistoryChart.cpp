#include "HistoryChart.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "history/HistoryBuckets.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QEvent>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QStackedBarSeries>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr int MaxTimeLabels = 8;
constexpr int ValueSteps = 4;

// The smallest of 1, 2, 5 times a power of ten that is at least `value`.
double niceStep(double value)
{
    const double power = std::pow(10.0, std::floor(std::log10(value)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (factor * power >= value * (1.0 - 1e-9))
            return factor * power;
    }
    return 10.0 * power;
}

// Categorical colours that tell nine keys apart on light and dark backgrounds; "other" is grey.
QColor keyColour(int index, bool other)
{
    static const QColor colours[] = {QColor(0x3b, 0x82, 0xf6), QColor(0xf5, 0x9e, 0x0b), QColor(0x10, 0xb9, 0x81),
                                     QColor(0xef, 0x44, 0x44), QColor(0x8b, 0x5c, 0xf6), QColor(0x06, 0xb6, 0xd4),
                                     QColor(0xec, 0x48, 0x99), QColor(0x84, 0xcc, 0x16), QColor(0xa1, 0x62, 0x07)};
    if (other)
        return QColor(0x94, 0xa3, 0xb8);
    return colours[index % int(std::size(colours))];
}

} // namespace

HistoryChart::HistoryChart(QWidget *parent)
    : CardFrame(parent)
    , m_chart(new QChart)
    , m_timeAxis(new QCategoryAxis)
    , m_valueAxis(new QCategoryAxis)
{
    setObjectName(QStringLiteral("historyChart"));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setBackgroundVisible(false);
    m_chart->setMargins(QMargins(0, 0, 0, 0));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_valueAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    styleAxes();

    m_view = new QChartView(m_chart, this);
    m_view->setObjectName(QStringLiteral("historyChartView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setBackgroundBrush(Qt::NoBrush);
    m_view->setStyleSheet(QStringLiteral("background: transparent"));
    m_view->setMinimumHeight(200);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("historyChartTitle"));
    ConsolePalette::scaleFont(m_title, 1.05, QFont::DemiBold);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_view, 1);
    rebuild();
}

void HistoryChart::styleAxes()
{
    const QColor labels = ConsolePalette::mutedText(palette());
    const QColor grid = ConsolePalette::cardBorder(palette());
    QFont labelFont = font();
    labelFont.setPointSizeF(labelFont.pointSizeF() * 0.85);
    for (QCategoryAxis *axis : {m_timeAxis, m_valueAxis}) {
        axis->setLabelsColor(labels);
        axis->setLabelsFont(labelFont);
        axis->setGridLineColor(grid);
        axis->setLinePen(QPen(grid, 1.0));
        axis->setMinorGridLineVisible(false);
    }
    m_chart->legend()->setLabelColor(palette().color(QPalette::WindowText));
}

void HistoryChart::changeEvent(QEvent *event)
{
    CardFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_title) {
        styleAxes();
        rebuild();
    }
}

void HistoryChart::setSeries(const QList<UsageSeriesRow> &rows, const QList<qint64> &buckets, UsageQuery::Bucket bucket,
                             const QStringList &keyNames, const QList<int> &keyOfRow, int otherKey)
{
    m_otherKey = otherKey;
    m_rows = rows;
    m_buckets = buckets;
    m_bucket = bucket;
    m_keyNames = keyNames;
    m_keyOfRow = keyOfRow;
    rebuild();
}

void HistoryChart::setMetric(Metric metric)
{
    if (metric == m_metric)
        return;
    m_metric = metric;
    rebuild();
}

void HistoryChart::setStyle(Style style)
{
    if (style == m_style)
        return;
    m_style = style;
    rebuild();
}

void HistoryChart::setCurrency(const QString &currencyCode)
{
    if (currencyCode == m_currency)
        return;
    m_currency = currencyCode;
    rebuild();
}

int HistoryChart::keyCount() const
{
    return int(m_chart->series().size() == 1 && m_style == Style::Bars
                   ? static_cast<QStackedBarSeries *>(m_chart->series().first())->count()
                   : m_chart->series().size());
}

int HistoryChart::barCount() const
{
    int bars = 0;
    if (m_style != Style::Bars || m_chart->series().isEmpty())
        return 0;
    const auto sets = static_cast<QStackedBarSeries *>(m_chart->series().first())->barSets();
    for (const QBarSet *set : sets)
        bars += int(set->count());
    return bars;
}

int HistoryChart::pointCount() const
{
    int points = 0;
    if (m_style != Style::Lines)
        return 0;
    const auto series = m_chart->series();
    for (const QAbstractSeries *s : series)
        points += int(static_cast<const QLineSeries *>(s)->count());
    return points;
}

double HistoryChart::plottedTotal() const
{
    double total = 0.0;
    const auto series = m_chart->series();
    for (QAbstractSeries *s : series) {
        if (m_style == Style::Bars) {
            const auto sets = static_cast<QStackedBarSeries *>(s)->barSets();
            for (const QBarSet *set : sets)
                for (int i = 0; i < set->count(); ++i)
                    total += set->at(i);
        } else {
            const auto points = static_cast<QLineSeries *>(s)->points();
            for (const QPointF &p : points)
                total += p.y();
        }
    }
    return total;
}

QStringList HistoryChart::axisLabels() const
{
    return m_timeAxis->categoriesLabels() + m_valueAxis->categoriesLabels();
}

QString HistoryChart::title() const
{
    return m_title->text();
}

void HistoryChart::rebuild()
{
    m_chart->removeAllSeries();
    const int buckets = int(m_buckets.size());
    const int keys = int(m_keyNames.size());
    // values[key][bucket]
    QList<QList<double>> values(keys, QList<double>(buckets, 0.0));
    for (int i = 0; i < m_rows.size() && i < m_keyOfRow.size(); ++i) {
        const UsageSeriesRow &row = m_rows.at(i);
        const auto at = std::lower_bound(m_buckets.cbegin(), m_buckets.cend(), row.bucketStartMs);
        const int key = m_keyOfRow.at(i);
        if (at == m_buckets.cend() || *at != row.bucketStartMs || key < 0 || key >= keys)
            continue;
        const double value = m_metric == Metric::Cost ? double(row.costMicros) / 1e6
                                                      : double(row.promptTokens + row.completionTokens);
        values[key][int(at - m_buckets.cbegin())] += value;
    }
    double maxValue = 0.0;
    if (m_style == Style::Bars) {
        auto *series = new QStackedBarSeries;
        series->setBarWidth(buckets > 60 ? 0.9 : 0.7);
        for (int k = 0; k < keys; ++k) {
            auto *set = new QBarSet(m_keyNames.at(k));
            const QColor colour = keyColour(k, k == m_otherKey);
            set->setColor(colour);
            set->setBorderColor(colour);
            QList<qreal> column;
            for (const double v : std::as_const(values[k]))
                column.append(v);
            set->append(column);
            series->append(set);
        }
        for (int b = 0; b < buckets; ++b) {
            double stack = 0.0;
            for (int k = 0; k < keys; ++k)
                stack += values[k][b];
            maxValue = std::max(maxValue, stack);
        }
        if (keys > 0)
            m_chart->addSeries(series);
        else
            delete series;
    } else {
        const QColor background = palette().color(QPalette::Base);
        for (int k = 0; k < keys; ++k) {
            auto *line = new QLineSeries;
            line->setName(m_keyNames.at(k));
            line->setPen(QPen(ConsolePalette::readableOn(keyColour(k, k == m_otherKey), background), 2.0));
            line->setPointsVisible(buckets <= 48);
            QList<QPointF> points;
            points.reserve(buckets);
            for (int b = 0; b < buckets; ++b) {
                points.append({double(b), values[k][b]});
                maxValue = std::max(maxValue, values[k][b]);
            }
            line->replace(points);
            m_chart->addSeries(line);
        }
    }
    for (QAbstractSeries *s : m_chart->series()) {
        s->attachAxis(m_timeAxis);
        s->attachAxis(m_valueAxis);
    }
    m_chart->legend()->setVisible(keys > 1);
    // Vertical grid lines would cut through the bars; lines read better with them.
    m_timeAxis->setGridLineVisible(m_style == Style::Lines);
    const bool hours = m_bucket == UsageQuery::Bucket::Hour;
    m_title->setText(m_metric == Metric::Cost ? (hours ? tr("Cost per hour") : tr("Cost per day"))
                                              : (hours ? tr("Tokens per hour") : tr("Tokens per day")));
    setUpTimeAxis();
    setUpValueAxis(maxValue);
}

void HistoryChart::setUpTimeAxis()
{
    for (const QString &label : m_timeAxis->categoriesLabels())
        m_timeAxis->remove(label);
    const int n = int(m_buckets.size());
    // Bars sit on whole numbers: bucket i at x = i.
    m_timeAxis->setStartValue(-0.5);
    m_timeAxis->setRange(-0.5, std::max(n, 1) - 0.5);
    if (n == 0)
        return;
    QList<int> ticks;
    if (m_bucket == UsageQuery::Bucket::Hour) {
        // Hours on the local clock that divide the day evenly, then whole days.
        int step = 24;
        for (const int candidate : {1, 2, 3, 6, 12}) {
            if (n / candidate <= MaxTimeLabels) {
                step = candidate;
                break;
            }
        }
        const int dayStep = std::max(1, (n / 24 + MaxTimeLabels - 1) / MaxTimeLabels);
        int days = 0;
        for (int i = 0; i < n; ++i) {
            const QTime t = QDateTime::fromMSecsSinceEpoch(m_buckets.at(i)).time();
            if (step < 24 ? t.hour() % step == 0 && t.minute() == 0 : t.hour() == 0 && days++ % dayStep == 0)
                ticks.append(i);
        }
    } else {
        int step = 1;
        for (const int candidate : {1, 2, 7, 14, 30, 60, 90}) {
            step = candidate;
            if ((n + candidate - 1) / candidate <= MaxTimeLabels)
                break;
        }
        for (int i = 0; i < n; i += step)
            ticks.append(i);
    }
    for (const int i : std::as_const(ticks)) {
        const QString label = HistoryBuckets::tickLabel(m_buckets.at(i), m_bucket);
        if (!m_timeAxis->categoriesLabels().contains(label))
            m_timeAxis->append(label, i);
    }
}

QString HistoryChart::valueLabel(double value) const
{
    if (m_metric == Metric::Cost)
        return value == 0.0 ? ConsoleFormat::money(0, m_currency) : ConsoleFormat::money(qint64(std::llround(value * 1e6)), m_currency);
    return ConsoleFormat::tokens(qint64(std::llround(value)));
}

void HistoryChart::setUpValueAxis(double maxValue)
{
    for (const QString &label : m_valueAxis->categoriesLabels())
        m_valueAxis->remove(label);
    const double floor = m_metric == Metric::Cost ? 0.01 : 10.0;  // an empty range still gets a readable axis
    const double target = std::max(maxValue * 1.05, floor);
    const double step = niceStep(target / ValueSteps);
    const int steps = int(std::ceil(target / step - 1e-9));
    m_valueAxis->setStartValue(0.0);
    m_valueAxis->setRange(0.0, steps * step);
    for (int i = 0; i <= steps; ++i) {
        const QString label = valueLabel(i * step);
        if (!m_valueAxis->categoriesLabels().contains(label))
            m_valueAxis->append(label, i * step);
    }
}
