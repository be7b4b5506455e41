#pragma once

#include <QByteArray>
#include <QList>

// One server-sent event, with the exact bytes it arrived as so it can be forwarded unchanged.
struct SseEvent
{
    QByteArray event; // the `event:` field, empty for unnamed events
    QByteArray data;  // `data:` lines joined with '\n'
    QByteArray raw;   // the whole event including its terminating blank line
};

// Incremental text/event-stream parser (WHATWG rules: LF, CRLF or CR line ends, `:` comments,
// multi-line data). Bytes may arrive split anywhere; complete events come out as they finish.
class SseParser
{
public:
    QList<SseEvent> feed(const QByteArray &bytes);
    // What is left when the stream ends without a final blank line.
    QByteArray takeRemainder();
    qsizetype buffered() const { return m_buffer.size(); }

private:
    QByteArray m_buffer;
    qsizetype m_scanFrom = 0;
};
