#include "UsageBarDelegate.h"

#include "ConsolePalette.h"

#include <QApplication>
#include <QPainter>

UsageBarDelegate::UsageBarDelegate(int fractionRole, QObject *parent) : QStyledItemDelegate(parent), m_fractionRole(fractionRole)
{
}

void UsageBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget); // background and selection

    const double fraction = index.data(m_fractionRole).toDouble();
    const double alertAt = m_alertRole >= 0 && index.data(m_alertRole).isValid() ? index.data(m_alertRole).toDouble() : 0.8;
    const QRect area = opt.rect.adjusted(6, 3, -6, -4);
    const int barHeight = 5;
    const QRect track(area.left(), area.bottom() - barHeight + 1, area.width(), barHeight);
    const QRect textRect(area.left(), area.top(), area.width(), track.top() - area.top() - 1);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(ConsolePalette::cardBorder(opt.palette));
    painter->drawRoundedRect(track, 2, 2);
    const QColor fill = fraction >= 1.0 ? ConsolePalette::failure()
                        : fraction >= alertAt ? ConsolePalette::pending() : ConsolePalette::success();
    if (fraction > 0) {
        QRect filled = track;
        filled.setWidth(qMax(3, int(track.width() * qMin(1.0, fraction))));
        painter->setBrush(fill);
        painter->drawRoundedRect(filled, 2, 2);
    }
    const bool selected = opt.state & QStyle::State_Selected;
    painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
    painter->setFont(opt.font);
    const QString percent = QStringLiteral("%1 %").arg(qRound(fraction * 100));
    const int percentWidth = opt.fontMetrics.horizontalAdvance(percent);
    painter->drawText(textRect.adjusted(textRect.width() - percentWidth, 0, 0, 0), Qt::AlignRight | Qt::AlignVCenter, percent);
    painter->drawText(textRect.adjusted(0, 0, -percentWidth - 8, 0), Qt::AlignLeft | Qt::AlignVCenter,
                      opt.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width() - percentWidth - 8));
    painter->restore();
}

QSize UsageBarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(option.fontMetrics.height() + 14);
    return size;
}
