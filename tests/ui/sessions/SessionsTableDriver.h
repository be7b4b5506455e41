#pragma once

#include "sessions/SessionsModel.h"

#include <QTableView>
#include <QTest>

// Finds and clicks cells of the sessions table the way a user does, for the page's tests.
namespace SessionsTableDriver {

// The cell of `column` in the row of session `id`, as the view shows it; invalid when not shown.
inline QModelIndex cell(const QTableView *view, const QString &id, int column)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, column);
        if (index.data(SessionsModel::SessionIdRole).toString() == id)
            return index;
    }
    return {};
}

// A left click in the middle of the cell, scrolled into view first.
inline void click(QTableView *view, const QModelIndex &index)
{
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

} // namespace SessionsTableDriver
