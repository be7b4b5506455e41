#include "MetricsText.h"

#include <cmath>
#include <limits>

namespace {
bool matches(const MetricsText::Sample &s, const QString &name, const QMap<QString, QString> &match)
{
    if (s.name != name)
        return false;
    for (auto it = match.begin(); it != match.end(); ++it) {
        if (s.labels.value(it.key()) != it.value())
            return false;
    }
    return true;
}
} // namespace

MetricsText::MetricsText(const QByteArray &text)
{
    int number = 0;
    for (const QByteArray &line : text.split('\n')) {
        ++number;
        if (line.isEmpty())
            continue;
        if (line.startsWith("# TYPE ")) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() == 4)
                m_types.insert(QString::fromUtf8(parts[2]), QString::fromUtf8(parts[3]));
            continue;
        }
        if (line.startsWith('#'))
            continue;
        if (!parseLine(line)) {
            m_error = QStringLiteral("line %1 is not a sample: %2").arg(number).arg(QString::fromUtf8(line));
            return;
        }
    }
}

bool MetricsText::parseLine(const QByteArray &line)
{
    Sample s;
    qsizetype i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
        ++i;
    s.name = QString::fromUtf8(line.left(i));
    if (s.name.isEmpty())
        return false;
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            const qsizetype eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.size() || line[eq + 1] != '"')
                return false;
            const QString key = QString::fromUtf8(line.mid(i, eq - i));
            QByteArray value;
            qsizetype j = eq + 2;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size()) {
                    ++j;
                    value += line[j] == 'n' ? '\n' : line[j];
                } else {
                    value += line[j];
                }
            }
            if (j >= line.size())
                return false;
            s.labels.insert(key, QString::fromUtf8(value));
            i = j + 1;
            if (i < line.size() && line[i] == ',')
                ++i;
        }
        if (i >= line.size())
            return false;
        ++i; // '}'
    }
    const QByteArray rest = line.mid(i).trimmed();
    const QByteArray number = rest.split(' ').value(0);
    if (number == "+Inf") {
        s.value = std::numeric_limits<double>::infinity();
    } else if (number == "-Inf") {
        s.value = -std::numeric_limits<double>::infinity();
    } else if (number == "NaN") {
        s.value = std::nan("");
    } else {
        bool ok = false;
        s.value = number.toDouble(&ok);
        if (!ok)
            return false;
    }
    m_samples.append(s);
    return true;
}

double MetricsText::sum(const QString &name, const QMap<QString, QString> &match) const
{
    double total = 0;
    for (const Sample &s : m_samples) {
        if (matches(s, name, match))
            total += s.value;
    }
    return total;
}

int MetricsText::count(const QString &name, const QMap<QString, QString> &match) const
{
    int n = 0;
    for (const Sample &s : m_samples) {
        if (matches(s, name, match))
            ++n;
    }
    return n;
}
