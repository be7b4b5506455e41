#include "TimestampUpstream.h"

#include "BenchClock.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <http_parser.h>

namespace {

// One client connection of the upstream: parses requests, answers each with a paced stream.
class TimestampStream : public QObject
{
public:
    TimestampStream(QTcpSocket *socket, int chunks, int intervalMs, QObject *parent)
        : QObject(parent), m_socket(socket), m_defaultChunks(chunks)
    {
        socket->setParent(this);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        http_parser_init(&m_parser, HTTP_REQUEST);
        m_parser.data = this;
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(intervalMs);
        connect(&m_timer, &QTimer::timeout, this, &TimestampStream::tick);
        connect(socket, &QTcpSocket::readyRead, this, &TimestampStream::onReadyRead);
        connect(socket, &QTcpSocket::disconnected, this, [this] {
            m_timer.stop();
            deleteLater();
        });
    }

private:
    static const http_parser_settings &settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings v;
            http_parser_settings_init(&v);
            v.on_header_field = [](http_parser *p, const char *at, size_t n) {
                auto *self = static_cast<TimestampStream *>(p->data);
                if (self->m_inValue) {
                    self->takeHeader();
                    self->m_inValue = false;
                }
                self->m_field.append(at, qsizetype(n));
                return 0;
            };
            v.on_header_value = [](http_parser *p, const char *at, size_t n) {
                auto *self = static_cast<TimestampStream *>(p->data);
                self->m_inValue = true;
                self->m_value.append(at, qsizetype(n));
                return 0;
            };
            v.on_headers_complete = [](http_parser *p) {
                auto *self = static_cast<TimestampStream *>(p->data);
                if (self->m_inValue)
                    self->takeHeader();
                self->m_inValue = false;
                return 0;
            };
            v.on_body = [](http_parser *p, const char *at, size_t n) {
                static_cast<TimestampStream *>(p->data)->m_body.append(at, qsizetype(n));
                return 0;
            };
            v.on_message_complete = [](http_parser *p) {
                static_cast<TimestampStream *>(p->data)->m_requestComplete = true;
                return 0;
            };
            return v;
        }();
        return s;
    }

    void takeHeader()
    {
        if (m_field.compare("x-bench-chunks", Qt::CaseInsensitive) == 0)
            m_requestChunks = m_value.trimmed().toInt();
        m_field.clear();
        m_value.clear();
    }

    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        http_parser_execute(&m_parser, &settings(), data.constData(), size_t(data.size()));
        if (m_parser.http_errno != HPE_OK) {
            m_socket->abort();
            return;
        }
        if (m_requestComplete) {
            m_requestComplete = false;
            begin();
        }
    }

    void writeChunk(const QByteArray &payload)
    {
        m_socket->write(QByteArray::number(payload.size(), 16) + "\r\n" + payload + "\r\n");
    }

    void begin()
    {
        m_usage = m_body.contains("\"include_usage\":true");
        m_body.clear();
        m_total = m_requestChunks > 0 ? m_requestChunks : m_defaultChunks;
        m_requestChunks = 0;
        m_sent = 0;
        m_socket->write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
        writeChunk(QByteArrayLiteral("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                                     "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                                     "\"content\":\"\"},\"finish_reason\":null}]}\n\n"));
        m_socket->flush();
        tick();
        m_timer.start();
    }

    void tick()
    {
        if (m_sent >= m_total)
            return;
        const QByteArray head = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                                "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t";
        const QByteArray tail = "\"},\"finish_reason\":null}]}\n\n";
        // The stamp is taken as late as possible: right before the bytes go to the kernel.
        writeChunk(head + QByteArray::number(benchNowNs()) + tail);
        m_socket->flush();
        if (++m_sent < m_total)
            return;
        m_timer.stop();
        writeChunk(QByteArrayLiteral("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                                     "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));
        if (m_usage)
            writeChunk("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"bench\","
                       "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":"
                       + QByteArray::number(m_total) + ",\"total_tokens\":" + QByteArray::number(m_total + 10) + "}}\n\n");
        writeChunk(QByteArrayLiteral("data: [DONE]\n\n"));
        m_socket->write("0\r\n\r\n");
        m_socket->flush();
    }

    QTcpSocket *m_socket;
    http_parser m_parser;
    QTimer m_timer;
    QByteArray m_field, m_value, m_body;
    bool m_inValue = false, m_requestComplete = false, m_usage = false;
    int m_defaultChunks, m_requestChunks = 0, m_total = 0, m_sent = 0;
};

} // namespace

TimestampUpstream::TimestampUpstream(int chunks, int intervalMs, QObject *parent)
    : QObject(parent), m_server(new QTcpServer(this)), m_chunks(chunks), m_intervalMs(intervalMs)
{
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server->nextPendingConnection())
            new TimestampStream(s, m_chunks, m_intervalMs, this);
    });
}

bool TimestampUpstream::listen(quint16 port, QString *error)
{
    if (m_server->listen(QHostAddress::LocalHost, port))
        return true;
    *error = m_server->errorString();
    return false;
}
