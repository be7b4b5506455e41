#pragma once

#include "BenchTarget.h"

#include <QByteArray>
#include <QObject>

#include <http_parser.h>

class QTcpSocket;

// One kept-alive HTTP/1.1 client connection carrying one request at a time; responses parsed by
// http-parser (Content-Length, chunked, or up to the close). Body pieces are delivered as they
// arrive, with the time the bytes were read, when asked for.
class ClientConnection : public QObject
{
    Q_OBJECT
public:
    ClientConnection(const BenchTarget &target, bool deliverBody, QObject *parent = nullptr);
    ~ClientConnection() override;

    void open();
    bool isConnected() const { return m_connected; }
    bool isBusy() const { return m_busy; }
    // Sends the target's request; returns the time the bytes were handed to the kernel.
    qint64 send();
    qint64 send(const QByteArray &request);

Q_SIGNALS:
    void connected();
    void headReceived(int status);
    void bodyReceived(const QByteArray &data, qint64 arrivalNs);
    void responseComplete(int status, qint64 arrivalNs);
    void failed(const QString &why);

private:
    static const http_parser_settings &settings();
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t length);
    static int onMessageComplete(http_parser *p);
    void onReadyRead();
    void onDisconnected();
    void fail(const QString &why);

    const BenchTarget &m_target;
    bool m_deliverBody;
    QTcpSocket *m_socket;
    http_parser m_parser;
    bool m_connected = false;
    bool m_busy = false;
    bool m_complete = false;
    bool m_dead = false;
    qint64 m_arrivalNs = 0;
};
