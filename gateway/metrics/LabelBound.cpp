#include "LabelBound.h"

QString LabelBound::bounded(const QString &value, bool mayAdd)
{
    const QString cut = value.size() > MaxValueLength ? value.left(MaxValueLength) : value;
    if (m_values.contains(cut))
        return cut;
    if (mayAdd && m_values.size() < m_max) {
        m_values.insert(cut);
        return cut;
    }
    ++m_folded;
    return Other;
}
