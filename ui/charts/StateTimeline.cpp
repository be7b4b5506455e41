#include "StateTimeline.h"

#include "ConsolePalette.h"
#include "charts/AxisScale.h"

#include <QDateTime>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int LaneHeight = 20;
constexpr int LaneGap = 4;
constexpr int AxisHeight = 18;
constexpr int MaxLanesShown = 8;
constexpr int TitleHeight = 24;
} // namespace

StateTimeline::StateTimeline(QWidget *parent)
    : CardFrame(parent)
    , m_title(new QLabel(tr("Stopped sessions and upstreams"), this))
    , m_empty(new QLabel(this))
{
    setObjectName(QStringLiteral("stateTimeline"));
    m_title->setObjectName(QStringLiteral("stateTimelineTitle"));
    ConsolePalette::scaleFont(m_title, 1.0, QFont::DemiBold);
    m_empty->setObjectName(QStringLiteral("stateTimelineEmpty"));
    ConsolePalette::makeMuted(m_empty);
    m_empty->setAlignment(Qt::AlignCenter);
    // What the colours mean, beside the title.
    auto *legend = new QLabel(this);
    legend->setObjectName(QStringLiteral("stateTimelineLegend"));
    legend->setTextFormat(Qt::RichText);
    legend->setText(tr("<span style=\"color:%1\">■</span>&nbsp;tripped &nbsp; <span style=\"color:%2\">■</span>&nbsp;killed"
                       " &nbsp; <span style=\"color:%3\">■</span>&nbsp;upstream breaker open")
                        .arg(colour(State::Tripped).name(), colour(State::Killed).name(), colour(State::BreakerOpen).name()));
    auto *top = new QHBoxLayout;
    top->setSpacing(12);
    top->addWidget(m_title);
    top->addWidget(legend);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->addLayout(top);
    layout->addWidget(m_empty);
    layout->addStretch(1); // the lanes are painted below the title
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

QColor StateTimeline::colour(State state)
{
    switch (state) {
    case State::Tripped: return ConsolePalette::failure();
    case State::Killed: return ConsolePalette::stopped();
    case State::BreakerOpen: return ConsolePalette::pending();
    }
    return ConsolePalette::failure();
}

void StateTimeline::setEmptyText(const QString &text)
{
    m_empty->setText(text);
}

void StateTimeline::setLanes(qint64 fromMs, qint64 toMs, const QList<Lane> &lanes)
{
    const bool resize = std::min<qsizetype>(lanes.size(), MaxLanesShown) != std::min<qsizetype>(m_lanes.size(), MaxLanesShown);
    m_lanes = lanes;
    m_from = fromMs;
    m_to = toMs;
    m_empty->setVisible(lanes.isEmpty());
    if (resize)
        updateGeometry();
    update();
}

QSize StateTimeline::sizeHint() const
{
    const int lanes = int(std::min<qsizetype>(m_lanes.size(), MaxLanesShown));
    const QMargins p = padding();
    const int body = lanes == 0 ? 28 : lanes * (LaneHeight + LaneGap) + AxisHeight;
    return {400, p.top() + TitleHeight + body + p.bottom()};
}

QSize StateTimeline::minimumSizeHint() const
{
    return {200, sizeHint().height()};
}

int StateTimeline::labelWidth() const
{
    return std::min(220, std::max(120, width() / 5));
}

QRect StateTimeline::plotArea() const
{
    const QMargins p = padding();
    const QRect inner = rect().marginsRemoved(p);
    return QRect(inner.left() + labelWidth() + 8, inner.top() + TitleHeight, inner.width() - labelWidth() - 8,
                 inner.height() - TitleHeight);
}

void StateTimeline::paintEvent(QPaintEvent *event)
{
    CardFrame::paintEvent(event);
    if (m_lanes.isEmpty() || m_to <= m_from)
        return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRect plot = plotArea();
    const double span = double(m_to - m_from);
    const auto xOf = [&](qint64 ms) {
        return plot.left() + plot.width() * (double(std::clamp(ms, m_from, m_to) - m_from) / span);
    };
    const QColor muted = ConsolePalette::mutedText(palette());
    const QColor grid = ConsolePalette::cardBorder(palette());
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter.setFont(small);
    const QFontMetrics metrics(small);

    const int shown = int(std::min<qsizetype>(m_lanes.size(), MaxLanesShown));
    for (int l = 0; l < shown; ++l) {
        const Lane &lane = m_lanes.at(l);
        const int top = plot.top() + l * (LaneHeight + LaneGap);
        const QRect labelRect(plot.left() - labelWidth() - 8, top, labelWidth(), LaneHeight);
        painter.setPen(palette().color(QPalette::WindowText));
        QString label = lane.label;
        if (l == shown - 1 && m_lanes.size() > shown)
            label = tr("%1 more…").arg(m_lanes.size() - shown + 1);
        painter.drawText(labelRect, Qt::AlignVCenter | Qt::AlignLeft, metrics.elidedText(label, Qt::ElideMiddle, labelRect.width()));
        painter.fillRect(QRectF(plot.left(), top + LaneHeight / 2.0, plot.width(), 1.0), grid);
        if (l == shown - 1 && m_lanes.size() > shown)
            continue;
        for (const Span &s : lane.spans) {
            const double x0 = xOf(s.fromMs);
            const double x1 = xOf(s.toMs < 0 ? m_to : s.toMs);
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour(s.state));
            painter.drawRoundedRect(QRectF(x0, top + 3, std::max(3.0, x1 - x0), LaneHeight - 6), 3, 3);
        }
    }
    // Clock times under the lanes, at the same round minutes as the charts.
    const int axisTop = plot.top() + shown * (LaneHeight + LaneGap);
    painter.setPen(muted);
    for (const qint64 tick : AxisScale::timeTicks((m_from + 999) / 1000, m_to / 1000)) {
        const double x = xOf(tick * 1000);
        const QString text = QDateTime::fromSecsSinceEpoch(tick).toString(QStringLiteral("HH:mm"));
        const int w = metrics.horizontalAdvance(text);
        painter.drawText(QRectF(std::clamp(x - w / 2.0, double(plot.left()), double(plot.right() - w)), axisTop, w + 2, AxisHeight),
                         Qt::AlignCenter, text);
    }
}
