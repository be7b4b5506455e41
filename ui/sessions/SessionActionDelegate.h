#pragma once

#include <QStyledItemDelegate>

// Draws the Kill / Resume button of a sessions table row and reports a click on it. Painted, not a
// widget per row: a table of a thousand sessions stays one widget, and the buttons follow sorting
// and filtering for free.
class SessionActionDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

    // Where the button sits inside a cell.
    static QRect buttonRect(const QRect &cell);

Q_SIGNALS:
    // The button of the row at `index` (an index of the model the view shows) was clicked.
    void clicked(const QModelIndex &index);

private:
    QPersistentModelIndex m_pressed;
};
