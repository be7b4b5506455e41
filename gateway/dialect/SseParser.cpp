#include "SseParser.h"

namespace {
// Finds the end of the next event: a blank line. Returns the index one past it, or -1.
qsizetype eventEnd(const QByteArray &b, qsizetype from)
{
    const qsizetype n = b.size();
    for (qsizetype i = from; i < n; ++i) {
        const char c = b.at(i);
        if (c != '\n' && c != '\r')
            continue;
        // A line end at i; is the next line empty?
        qsizetype next = i + 1;
        if (c == '\r') {
            if (next >= n)
                return -1; // can't tell CR from CRLF yet
            if (b.at(next) == '\n')
                ++next;
        }
        if (next >= n)
            return -1;
        const char d = b.at(next);
        if (d == '\n')
            return next + 1;
        if (d == '\r') {
            if (next + 1 >= n)
                return -1;
            return b.at(next + 1) == '\n' ? next + 2 : next + 1;
        }
    }
    return -1;
}

SseEvent parseEvent(const QByteArray &raw)
{
    SseEvent e;
    e.raw = raw;
    QByteArray data;
    bool haveData = false;
    qsizetype pos = 0;
    const qsizetype n = raw.size();
    while (pos < n) {
        qsizetype eol = pos;
        while (eol < n && raw.at(eol) != '\n' && raw.at(eol) != '\r')
            ++eol;
        const QByteArray line = raw.mid(pos, eol - pos);
        pos = eol;
        if (pos < n && raw.at(pos) == '\r')
            ++pos;
        if (pos < n && raw.at(pos) == '\n')
            ++pos;
        if (line.isEmpty() || line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "data") {
            if (haveData)
                data += '\n';
            data += value;
            haveData = true;
        } else if (field == "event") {
            e.event = value;
        }
    }
    e.data = data;
    return e;
}
} // namespace

QList<SseEvent> SseParser::feed(const QByteArray &bytes)
{
    QList<SseEvent> out;
    m_buffer += bytes;
    qsizetype start = 0;
    qsizetype scan = m_scanFrom;
    for (;;) {
        const qsizetype end = eventEnd(m_buffer, qMax(start, scan));
        if (end < 0)
            break;
        out.append(parseEvent(m_buffer.mid(start, end - start)));
        start = end;
        scan = end;
    }
    if (start > 0)
        m_buffer.remove(0, start);
    // Resume scanning near the end next time instead of from the start of a long partial event.
    m_scanFrom = qMax<qsizetype>(0, m_buffer.size() - 3);
    return out;
}

QByteArray SseParser::takeRemainder()
{
    m_scanFrom = 0;
    return std::exchange(m_buffer, QByteArray());
}
