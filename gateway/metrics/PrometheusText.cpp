#include "PrometheusText.h"

#include "Histogram.h"

#include <QLocale>

#include <cmath>

PrometheusText::PrometheusText(qsizetype reserve)
{
    m_out.reserve(reserve);
}

void PrometheusText::family(QByteArrayView name, QByteArrayView type, QByteArrayView help)
{
    m_out += "# HELP ";
    m_out += name;
    m_out += ' ';
    for (char c : help) {
        if (c == '\\')
            m_out += "\\\\";
        else if (c == '\n')
            m_out += "\\n";
        else
            m_out += c;
    }
    m_out += "\n# TYPE ";
    m_out += name;
    m_out += ' ';
    m_out += type;
    m_out += '\n';
}

void PrometheusText::sample(QByteArrayView name, QByteArrayView labels, qint64 value)
{
    m_out += name;
    m_out += labels;
    m_out += ' ';
    m_out += QByteArray::number(value);
    m_out += '\n';
}

void PrometheusText::sample(QByteArrayView name, QByteArrayView labels, double value)
{
    m_out += name;
    m_out += labels;
    m_out += ' ';
    m_out += number(value);
    m_out += '\n';
}

void PrometheusText::appendLabelsWithLe(QByteArrayView labels, QByteArrayView le)
{
    if (labels.isEmpty()) {
        m_out += "{le=\"";
    } else {
        m_out += labels.chopped(1); // without its closing brace
        m_out += ",le=\"";
    }
    m_out += le;
    m_out += "\"}";
}

void PrometheusText::histogram(QByteArrayView name, QByteArrayView labels, const Histogram &h)
{
    const std::span<const double> bounds = h.bounds();
    qint64 cumulative = 0;
    for (qsizetype i = 0; i <= qsizetype(bounds.size()); ++i) {
        cumulative += h.bucketCount(i);
        m_out += name;
        m_out += "_bucket";
        appendLabelsWithLe(labels, i < qsizetype(bounds.size()) ? QByteArrayView(number(bounds[i])) : QByteArrayView("+Inf"));
        m_out += ' ';
        m_out += QByteArray::number(cumulative);
        m_out += '\n';
    }
    m_out += name;
    m_out += "_sum";
    m_out += labels;
    m_out += ' ';
    m_out += number(h.sum());
    m_out += '\n';
    m_out += name;
    m_out += "_count";
    m_out += labels;
    m_out += ' ';
    m_out += QByteArray::number(h.count());
    m_out += '\n';
}

QByteArray PrometheusText::labels(std::initializer_list<std::pair<QByteArrayView, QString>> pairs)
{
    if (pairs.size() == 0)
        return {};
    QByteArray out("{");
    bool first = true;
    for (const auto &[name, value] : pairs) {
        if (!first)
            out += ',';
        first = false;
        out += name;
        out += "=\"";
        out += escapeLabelValue(value);
        out += '"';
    }
    out += '}';
    return out;
}

QByteArray PrometheusText::labels(const QList<QByteArray> &names, const QStringList &values)
{
    if (names.isEmpty())
        return {};
    QByteArray out("{");
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += ',';
        out += names[i];
        out += "=\"";
        out += escapeLabelValue(values.value(i));
        out += '"';
    }
    out += '}';
    return out;
}

QByteArray PrometheusText::escapeLabelValue(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    if (!utf8.contains('\\') && !utf8.contains('"') && !utf8.contains('\n'))
        return utf8;
    QByteArray out;
    out.reserve(utf8.size() + 8);
    for (char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray PrometheusText::number(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    // Whole numbers up to 2^53 print as integers; anything else in the shortest form that reads
    // back to the same double.
    if (value == std::floor(value) && std::abs(value) < 9007199254740992.0)
        return QByteArray::number(qint64(value));
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}
