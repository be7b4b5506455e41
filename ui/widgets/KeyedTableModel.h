#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>

#include <algorithm>
#include <climits>
#include <utility>

// A table model of values that each carry a key (a session's id, an upstream's name), given a new
// list a few times a second and merged in without a reset: rows that left are removed (one removal
// per run of adjacent rows), rows that changed report dataChanged over the columns that changed (one
// signal per run of adjacent changed rows), new rows are appended in one insertion, in the list's
// order (a key twice counts once). So a view's selection and scroll position survive every update.
template <typename Row>
class KeyedTableModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    // The row of a key, -1 when it is not shown.
    int rowOf(const QString &key) const { return m_rowOf.value(key, -1); }
    const Row &rowAt(int row) const { return m_rows.at(row); }
    const QList<Row> &rows() const { return m_rows; }
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }

protected:
    virtual QString keyOf(const Row &row) const = 0;
    // The first and last column whose display differs between two versions of a row; (-1, -1): none.
    virtual std::pair<int, int> changedColumns(const Row &before, const Row &after) const = 0;

    void merge(const QList<Row> &rows)
    {
        QHash<QString, int> incoming;
        incoming.reserve(rows.size());
        for (int i = 0; i < rows.size(); ++i)
            incoming.insert(keyOf(rows.at(i)), i);
        removeGone(incoming);

        int runStart = -1;
        int runFirstColumn = INT_MAX;
        int runLastColumn = -1;
        const auto flush = [&](int endRow) {
            if (runStart >= 0)
                Q_EMIT this->dataChanged(this->index(runStart, runFirstColumn), this->index(endRow, runLastColumn));
            runStart = -1;
            runFirstColumn = INT_MAX;
            runLastColumn = -1;
        };
        for (int row = 0; row < m_rows.size(); ++row) {
            const Row &next = rows.at(incoming.value(keyOf(m_rows.at(row))));
            const auto [first, last] = changedColumns(m_rows.at(row), next);
            if (first < 0) {
                flush(row - 1);
                continue;
            }
            m_rows[row] = next;
            if (runStart < 0)
                runStart = row;
            runFirstColumn = std::min(runFirstColumn, first);
            runLastColumn = std::max(runLastColumn, last);
        }
        flush(int(m_rows.size()) - 1);

        const int first = int(m_rows.size());
        QList<Row> added;
        for (const Row &r : rows) {
            const QString key = keyOf(r);
            if (m_rowOf.contains(key))
                continue;
            m_rowOf.insert(key, first + int(added.size()));
            added << r;
        }
        if (added.isEmpty())
            return;
        this->beginInsertRows({}, first, first + int(added.size()) - 1);
        m_rows.append(std::move(added));
        this->endInsertRows();
    }

    QList<Row> m_rows;

private:
    // From the end, one removal per run of adjacent rows that left, so earlier row numbers hold.
    void removeGone(const QHash<QString, int> &incoming)
    {
        bool removed = false;
        int row = int(m_rows.size()) - 1;
        while (row >= 0) {
            if (incoming.contains(keyOf(m_rows.at(row)))) {
                --row;
                continue;
            }
            const int last = row;
            while (row > 0 && !incoming.contains(keyOf(m_rows.at(row - 1))))
                --row;
            this->beginRemoveRows({}, row, last);
            m_rows.remove(row, last - row + 1);
            this->endRemoveRows();
            removed = true;
            --row;
        }
        if (removed || m_rowOf.size() != m_rows.size()) {
            m_rowOf.clear();
            m_rowOf.reserve(m_rows.size());
            for (int i = 0; i < m_rows.size(); ++i)
                m_rowOf.insert(keyOf(m_rows.at(i)), i);
        }
    }

    QHash<QString, int> m_rowOf;
};
