#include "SeriesIndex.h"

#include "LabelBound.h"
#include "PrometheusText.h"

SeriesIndex::SeriesIndex(QList<QByteArray> labelNames, int maxSeries) : m_names(std::move(labelNames)), m_max(maxSeries)
{
}

qsizetype SeriesIndex::indexOf(const QStringList &values, bool *added)
{
    *added = false;
    if (const auto it = m_index.constFind(values); it != m_index.constEnd())
        return it.value();
    QStringList key = values;
    if (m_labels.size() >= m_max) {
        key = QStringList(m_names.size(), LabelBound::Other);
        if (const auto it = m_index.constFind(key); it != m_index.constEnd())
            return it.value();
    }
    const qsizetype i = m_labels.size();
    m_labels.append(PrometheusText::labels(m_names, key));
    m_index.insert(key, i);
    *added = true;
    return i;
}

qsizetype SeriesIndex::find(const QStringList &values) const
{
    return m_index.value(values, -1);
}
