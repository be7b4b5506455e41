#include "BreakerChipDelegate.h"

#include "upstreams/UpstreamText.h"
#include "upstreams/UpstreamsModel.h"

#include <QApplication>
#include <QPainter>

void BreakerChipDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The row's background (selection) first, then the chip over it.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    cell.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

    const QString state = index.data(UpstreamsModel::BreakerStateRole).toString();
    const QString text = index.data(Qt::DisplayRole).toString();
    const QColor fill = UpstreamText::breakerColour(state);
    const QFontMetrics metrics = option.fontMetrics;
    const int width = qMin(option.rect.width() - 8, metrics.horizontalAdvance(text) + 18);
    const int height = qMin(option.rect.height() - 6, metrics.height() + 4);
    QRect chip(0, 0, width, height);
    chip.moveCenter(option.rect.center());

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(chip, height / 2.0, height / 2.0);
    // Dark text on a light chip (amber), white on the others.
    const double luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
    painter->setPen(luminance > 0.5 ? QColor(0x1f, 0x1f, 0x1f) : QColor(Qt::white));
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(chip, Qt::AlignCenter, text);
    painter->restore();
}

QSize BreakerChipDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics metrics = option.fontMetrics;
    return {metrics.horizontalAdvance(index.data().toString()) + 30, metrics.height() + 12};
}
