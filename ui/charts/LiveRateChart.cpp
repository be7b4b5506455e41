#include "LiveRateChart.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"
#include "charts/RateHistory.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr int RefreshIntervalMs = 500;
constexpr int NowWindowSeconds = 5;
constexpr double TokensFloor = 10.0;  // an idle gateway still gets a readable 0-10 axis
constexpr double RequestsFloor = 1.0;

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

} // namespace

LiveRateChart::LiveRateChart(QWidget *parent)
    : CardFrame(parent)
    , m_now(new QLabel(this))
    , m_chart(new QChart)
    , m_requests(new QLineSeries)
    , m_tokensAxis(new QValueAxis)
    , m_requestsAxis(new QValueAxis)
    , m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("rateChart"));

    auto *title = new QLabel(tr("Throughput, last 5 minutes"), this);
    ConsolePalette::scaleFont(title, 1.05, QFont::DemiBold);
    m_now->setObjectName(QStringLiteral("rateChartNow"));
    ConsolePalette::makeMuted(m_now);

    // Tokens as a filled area between the rate and zero; both edges are plain line series, owned
    // by the area (which does not own them by itself).
    auto *tokensArea = new QAreaSeries;
    m_tokens = new QLineSeries(tokensArea);
    m_tokensBaseline = new QLineSeries(tokensArea);
    tokensArea->setUpperSeries(m_tokens);
    tokensArea->setLowerSeries(m_tokensBaseline);
    tokensArea->setName(tr("Tokens/s"));
    QColor fill = ConsolePalette::tokensSeries();
    fill.setAlphaF(0.16f);
    tokensArea->setBrush(fill);
    tokensArea->setPen(QPen(ConsolePalette::tokensSeries(), 2.0));
    m_requests->setName(tr("Requests/s"));
    m_requests->setPen(QPen(ConsolePalette::requestsSeries(), 2.0));

    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setBackgroundVisible(false);
    m_chart->setMargins(QMargins(0, 0, 0, 0));
    m_chart->setContentsMargins(0, 0, 0, 0);
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->addSeries(tokensArea);
    m_chart->addSeries(m_requests);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->legend()->setLabelColor(palette().color(QPalette::WindowText));
    setUpAxes();

    m_view = new QChartView(m_chart, this);
    m_view->setObjectName(QStringLiteral("rateChartView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setBackgroundBrush(Qt::NoBrush);
    m_view->setStyleSheet(QStringLiteral("background: transparent"));
    m_view->setMinimumHeight(220);

    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(m_now);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(6);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    m_timer->setInterval(RefreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &LiveRateChart::refresh);
    m_timer->start();
    refresh();
}

void LiveRateChart::setUpAxes()
{
    const QColor labels = ConsolePalette::mutedText(palette());
    const QColor grid = ConsolePalette::cardBorder(palette());
    QFont labelFont = font();
    labelFont.setPointSizeF(labelFont.pointSizeF() * 0.85);

    // Time runs from five minutes ago (left) to now (right), in seconds relative to now.
    auto *time = new QCategoryAxis;
    time->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    time->setRange(-300, 0);
    time->setStartValue(-300);
    for (int minutes = 4; minutes >= 1; --minutes)
        time->append(tr("−%1 min").arg(minutes), -60.0 * minutes);
    time->append(tr("now"), 0);

    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(time), static_cast<QAbstractAxis *>(m_tokensAxis),
                                static_cast<QAbstractAxis *>(m_requestsAxis)}) {
        axis->setLabelsColor(labels);
        axis->setLabelsFont(labelFont);
        axis->setGridLineColor(grid);
        axis->setLinePen(QPen(grid, 1.0));
        axis->setTitleBrush(labels);
        axis->setTitleFont(labelFont);
    }
    m_tokensAxis->setTitleText(tr("tokens/s"));
    m_requestsAxis->setTitleText(tr("requests/s"));
    m_requestsAxis->setGridLineVisible(false); // one grid is enough; it follows the tokens axis
    m_tokensAxis->setMinorGridLineVisible(false);
    for (QValueAxis *axis : {m_tokensAxis, m_requestsAxis}) {
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0.0);
    }

    m_chart->addAxis(time, Qt::AlignBottom);
    m_chart->addAxis(m_tokensAxis, Qt::AlignLeft);
    m_chart->addAxis(m_requestsAxis, Qt::AlignRight);
    const auto series = m_chart->series();
    for (QAbstractSeries *s : series) {
        s->attachAxis(time);
        s->attachAxis(s == m_requests ? m_requestsAxis : m_tokensAxis);
    }
    rescale(m_tokensAxis, 0.0, TokensFloor);
    rescale(m_requestsAxis, 0.0, RequestsFloor);
}

void LiveRateChart::setHistory(const RateHistory *history)
{
    m_history = history;
    m_plottedOnce = false;
    refresh();
}

int LiveRateChart::plottedPointCount() const
{
    return int(std::max(m_tokens->count(), m_requests->count()));
}

int LiveRateChart::refreshIntervalMs() const
{
    return m_timer->interval();
}

void LiveRateChart::refresh()
{
    if (!m_history) {
        if (m_tokens->count() > 0) {
            m_tokens->clear();
            m_tokensBaseline->clear();
            m_requests->clear();
        }
        m_now->setText(QString());
        return;
    }
    if (m_plottedOnce && m_history->revision() == m_plottedRevision)
        return;
    m_plottedOnce = true;
    m_plottedRevision = m_history->revision();

    const int n = m_history->size();
    QList<QPointF> tokens;
    QList<QPointF> baseline;
    QList<QPointF> requests;
    tokens.reserve(n);
    baseline.reserve(n);
    requests.reserve(n);
    double tokensMax = 0.0;
    double requestsMax = 0.0;
    const qint64 now = m_history->openSecond();
    for (int i = 0; i < n; ++i) {
        const RateHistory::Second &second = m_history->at(i);
        const double x = double(second.second - now);
        tokens.append({x, double(second.tokens)});
        baseline.append({x, 0.0});
        requests.append({x, double(second.requests)});
        tokensMax = std::max(tokensMax, double(second.tokens));
        requestsMax = std::max(requestsMax, double(second.requests));
    }
    m_tokens->replace(tokens);
    m_tokensBaseline->replace(baseline);
    m_requests->replace(requests);
    rescale(m_tokensAxis, tokensMax, TokensFloor);
    rescale(m_requestsAxis, requestsMax, RequestsFloor);

    m_now->setText(n == 0 ? QString()
                          : tr("now %1 · %2")
                                .arg(ConsoleFormat::rate(m_history->tokensPerSecond(NowWindowSeconds), tr("tok/s")),
                                     ConsoleFormat::rate(m_history->requestsPerSecond(NowWindowSeconds), tr("req/s"))));
}

void LiveRateChart::rescale(QValueAxis *axis, double dataMax, double floorMax)
{
    // Headroom above the peak, then round up to a whole number of 1-2-5 steps: the axis only
    // moves when the data crosses a step, so it does not twitch with every redraw.
    const double target = std::max(dataMax * 1.1, floorMax);
    const double step = niceStep(target / 4.0);
    const double top = std::ceil(target / step - 1e-9) * step;
    if (axis->max() != top || axis->min() != 0.0)
        axis->setRange(0.0, top);
    if (axis->tickInterval() != step)
        axis->setTickInterval(step);
    const QString format = step >= 1.0 ? QStringLiteral("%.0f") : step >= 0.1 ? QStringLiteral("%.1f") : QStringLiteral("%.2f");
    if (axis->labelFormat() != format)
        axis->setLabelFormat(format);
}
