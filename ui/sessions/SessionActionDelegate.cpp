#include "SessionActionDelegate.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

namespace {
constexpr int Margin = 3;
}

QRect SessionActionDelegate::buttonRect(const QRect &cell)
{
    return cell.adjusted(Margin, Margin - 1, -Margin, -(Margin - 1));
}

void SessionActionDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The row's background (selection, state tint) first, then a push button over it.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    cell.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

    QStyleOptionButton button;
    button.rect = buttonRect(option.rect);
    button.text = index.data(Qt::DisplayRole).toString();
    button.state = QStyle::State_Enabled | QStyle::State_Raised;
    if (m_pressed.isValid() && m_pressed == index)
        button.state |= QStyle::State_Sunken;
    button.palette = option.palette;
    button.fontMetrics = option.fontMetrics;
    style->drawControl(QStyle::CE_PushButton, &button, painter, widget);
}

QSize SessionActionDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics metrics = option.fontMetrics;
    const int text = qMax(metrics.horizontalAdvance(tr("Resume")), metrics.horizontalAdvance(index.data().toString()));
    return {text + 28, metrics.height() + 12};
}

bool SessionActionDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                        const QModelIndex &index)
{
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() != Qt::LeftButton || !buttonRect(option.rect).contains(mouse->position().toPoint()))
            break;
        m_pressed = index;
        return true;
    }
    case QEvent::MouseButtonRelease: {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const bool wasPressed = m_pressed.isValid() && m_pressed == index;
        m_pressed = QPersistentModelIndex();
        if (mouse->button() == Qt::LeftButton && wasPressed && buttonRect(option.rect).contains(mouse->position().toPoint())) {
            Q_EMIT clicked(index);
            return true;
        }
        break;
    }
    default:
        break;
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}
