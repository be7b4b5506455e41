#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QStringList>

// The series of one metric family by label values: a label tuple's index in O(1) (a hash of the
// tuple), and its label set rendered once for the exposition. At most `maxSeries` series; past
// that, new tuples all land in one series whose every label is "other", so no family can grow
// without bound whatever combinations the labels make.
class SeriesIndex
{
public:
    SeriesIndex(QList<QByteArray> labelNames, int maxSeries);

    // The index of `values` (one per label name), adding the series if new. `added` tells the
    // caller to grow its value list.
    qsizetype indexOf(const QStringList &values, bool *added);
    // The index of `values` if that series exists, else -1 (for tests and readers).
    qsizetype find(const QStringList &values) const;

    qsizetype size() const { return m_labels.size(); }
    const QByteArray &labels(qsizetype i) const { return m_labels.at(i); }
    const QList<QByteArray> &labelNames() const { return m_names; }
    int maxSeries() const { return m_max; }

private:
    QList<QByteArray> m_names;
    int m_max;
    QHash<QStringList, qsizetype> m_index;
    QList<QByteArray> m_labels; // rendered {a="x",...}, by index
};
