#include "TimeChart.h"

#include "ConsolePalette.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QEvent>
#include <QGraphicsLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QXYSeries>

#include <algorithm>

TimeChart::TimeChart(const QString &key, const QString &title, AxisScale::Unit unit, QWidget *parent)
    : CardFrame(parent)
    , m_unit(unit)
    , m_chart(new QChart)
    , m_time(new QCategoryAxis)
    , m_values(new QCategoryAxis)
{
    setObjectName(key + QStringLiteral("Chart"));
    auto *caption = new QLabel(title, this);
    caption->setObjectName(key + QStringLiteral("ChartTitle"));
    ConsolePalette::scaleFont(caption, 1.0, QFont::DemiBold);

    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setBackgroundVisible(false);
    m_chart->setMargins(QMargins(0, 8, 4, 0)); // room for the top tick's label
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setVisible(false);
    m_time->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_values->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    // Qt Charts keeps the label width it measured before the categories changed and elides the
    // new ones to "..." (seen with "0.5 req/s" after "0 req/s"); a tick label is never long.
    m_values->setTruncateLabels(false);
    m_time->setTruncateLabels(false);
    m_chart->addAxis(m_time, Qt::AlignBottom);
    m_chart->addAxis(m_values, Qt::AlignLeft);

    m_view = new QChartView(m_chart, this);
    m_view->setObjectName(key + QStringLiteral("ChartView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setBackgroundBrush(Qt::NoBrush);
    m_view->setStyleSheet(QStringLiteral("background: transparent"));
    m_view->setMinimumHeight(130);
    // The view takes the room it is given; its own size hint would make the page scroll.
    m_view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(2);
    m_legend = new QLabel(this);
    m_legend->setObjectName(key + QStringLiteral("ChartLegend"));
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    layout->addWidget(caption);
    layout->addWidget(m_legend);
    layout->addWidget(m_view, 1);
    applyPalette();
    setValueMax(0.0);
}

void TimeChart::applyPalette()
{
    const QColor labels = ConsolePalette::mutedText(palette());
    const QColor grid = ConsolePalette::cardBorder(palette());
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.82);
    // Cosmetic pens: one device pixel wide whatever the scale.
    QPen line(grid, 1.0);
    line.setCosmetic(true);
    for (QCategoryAxis *axis : {m_time, m_values}) {
        axis->setLabelsColor(labels);
        axis->setLabelsFont(small);
        axis->setGridLinePen(line);
        axis->setLinePen(line);
    }
    m_time->setGridLineVisible(false);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.88);
    m_legend->setFont(legendFont);
    setLegend(m_legendEntries);
}

void TimeChart::changeEvent(QEvent *event)
{
    CardFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void TimeChart::setAntialiased(bool on)
{
    m_view->setRenderHint(QPainter::Antialiasing, on);
}

void TimeChart::setCurrency(const QString &currencyCode)
{
    m_currency = currencyCode;
    m_ticksSet = false;
    setValueMax(m_dataMax);
}

void TimeChart::attach(QAbstractSeries *series)
{
    series->attachAxis(m_time);
    series->attachAxis(m_values);
}

void TimeChart::addPlotted(QXYSeries *plotted, bool legend)
{
    m_plotted.append(plotted);
    m_inLegend.append(legend);
    m_shown.append(true);
}

void TimeChart::setPlottedVisible(int index, bool visible, const QString &name, bool drawn)
{
    QXYSeries *series = m_plotted.at(index);
    if (!name.isEmpty() && series->name() != name)
        series->setName(name);
    m_shown[index] = visible;
    // The series that carries the legend marker may be an area, the plotted line's parent.
    QAbstractSeries *owner = qobject_cast<QAbstractSeries *>(series->parent());
    QAbstractSeries *item = owner && m_chart->series().contains(owner) ? owner : series;
    if (!name.isEmpty() && item->name() != name)
        item->setName(name);
    if (item->isVisible() != (visible && drawn))
        item->setVisible(visible && drawn);
}

int TimeChart::seriesCount() const
{
    return int(std::count(m_shown.begin(), m_shown.end(), true));
}

namespace {
int nthShown(const QList<bool> &shown, int index)
{
    for (int i = 0, seen = 0; i < shown.size(); ++i) {
        if (shown.at(i) && seen++ == index)
            return i;
    }
    return -1;
}
} // namespace

void TimeChart::setLegend(const QList<LegendEntry> &entries)
{
    m_legendEntries = entries;
    QStringList parts;
    for (const LegendEntry &e : entries) {
        // A filled square for a band, a bar for a line, a dashed bar for a dashed line.
        const QString key = e.dashed ? QStringLiteral("╍") : e.line ? QStringLiteral("━") : QStringLiteral("■");
        const QColor shown = ConsolePalette::readableOn(e.colour, palette().color(QPalette::Base));
        parts.append(QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;%3").arg(shown.name(), key, e.name.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;"))));
    }
    const QString html = parts.join(QStringLiteral(" &nbsp; "));
    if (m_legend->text() != html)
        m_legend->setText(html);
}

QString TimeChart::legendText() const
{
    QStringList names;
    for (const LegendEntry &e : m_legendEntries)
        names.append(e.name);
    return names.join(QStringLiteral(" · "));
}

QString TimeChart::seriesName(int index) const
{
    const int i = nthShown(m_shown, index);
    return i < 0 ? QString() : m_plotted.at(i)->name();
}

QList<QPointF> TimeChart::seriesPoints(int index) const
{
    const int i = nthShown(m_shown, index);
    if (i < 0)
        return {};
    QList<QPointF> points = m_plotted.at(i)->points();
    for (QPointF &p : points)
        p.rx() += double(m_origin);
    return points;
}

double TimeChart::valueAxisTop() const
{
    return m_values->max();
}

QStringList TimeChart::valueTickLabels() const
{
    return m_values->categoriesLabels();
}

QStringList TimeChart::timeTickLabels() const
{
    return m_time->categoriesLabels();
}

void TimeChart::setTimeSpan(qint64 fromSecond, qint64 toSecond)
{
    if (fromSecond == m_from && toSecond == m_to)
        return;
    const bool sameRange = m_to >= 0 && toSecond - fromSecond == m_to - m_from;
    m_from = fromSecond;
    m_to = toSecond;
    m_origin = toSecond + 1;
    if (!sameRange)
        m_time->setRange(plotX(double(fromSecond)), 0.0);
    // The round minutes move along the axis as the span slides: placed again, relative to its end.
    for (const QString &label : m_time->categoriesLabels())
        m_time->remove(label);
    m_time->setStartValue(plotX(double(fromSecond) - 1.0)); // a label may sit on the first second
    // A label is centred on its minute: one within the last (or first) 4 % of the span would hang
    // over the end of the axis and be cut ("05:5" at 05:50:05).
    const qint64 margin = (toSecond - fromSecond + 1) * 4 / 100;
    for (const qint64 tick : AxisScale::timeTicks(fromSecond, toSecond)) {
        if (tick - fromSecond < margin || toSecond - tick < margin)
            continue;
        m_time->append(QDateTime::fromSecsSinceEpoch(tick).toString(QStringLiteral("HH:mm")), plotX(double(tick)));
    }
}

void TimeChart::setValueMax(double dataMax)
{
    m_dataMax = dataMax;
    const AxisScale::Ticks ticks = AxisScale::valueTicks(dataMax, AxisScale::floorFor(m_unit));
    if (m_ticksSet && ticks.step == m_ticks.step && ticks.top == m_ticks.top)
        return;
    m_ticks = ticks;
    m_ticksSet = true;
    for (const QString &label : m_values->categoriesLabels())
        m_values->remove(label);
    m_values->setStartValue(-ticks.step / 1000.0); // so the 0 label has a category of its own
    for (int i = 0; i <= ticks.count(); ++i)
        m_values->append(AxisScale::label(i * ticks.step, ticks.step, m_unit, m_currency), i * ticks.step);
    m_values->setRange(0.0, ticks.top);
}
