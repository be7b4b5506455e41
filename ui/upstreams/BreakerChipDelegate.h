#pragma once

#include <QStyledItemDelegate>

// Paints the Breaker column as a rounded chip in the state's colour (closed green, half-open
// amber, open red) with its label in a colour readable on it, over the row's own background.
class BreakerChipDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
