#include "CounterFamily.h"

#include "PrometheusText.h"

CounterFamily::CounterFamily(QByteArray name, QByteArray help, QList<QByteArray> labelNames, int maxSeries)
    : m_name(std::move(name)), m_help(std::move(help)), m_series(std::move(labelNames), maxSeries)
{
}

void CounterFamily::add(const QStringList &values, qint64 amount)
{
    bool added = false;
    const qsizetype i = m_series.indexOf(values, &added);
    if (added)
        m_values.append(0);
    m_values[i] += amount;
}

qint64 CounterFamily::value(const QStringList &values) const
{
    const qsizetype i = m_series.find(values);
    return i < 0 ? 0 : m_values.at(i);
}

void CounterFamily::render(PrometheusText &out) const
{
    out.family(m_name, "counter", m_help);
    for (qsizetype i = 0; i < m_values.size(); ++i)
        out.sample(m_name, m_series.labels(i), m_values.at(i));
}
