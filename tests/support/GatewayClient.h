#pragma once

#include "http/HttpHeaders.h"
#include "upstream/UpstreamClient.h"

#include <QByteArray>
#include <QJsonValue>
#include <QObject>
#include <QString>

class UpstreamCall;

// A client of a gateway under test on 127.0.0.1: one whole request at a time over a real socket,
// and the admin API with the token from the data dir. Waits by polling its own state (QTRY_*).
class GatewayClient : public QObject
{
public:
    struct Reply
    {
        int status = 0;
        HttpHeaders headers;
        QByteArray body;
        bool done = false;
    };

    GatewayClient(quint16 port, const QString &dataDir, QObject *parent = nullptr);

    Reply call(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {},
               const QByteArray &method = "POST");
    // The same request without waiting: *out fills as the answer arrives (a stream, chunk by
    // chunk) and says done at its end. The caller owns the call (deleting it closes the request).
    UpstreamCall *start(const QByteArray &path, const QByteArray &body, const HttpHeaders &headers, Reply *out,
                        const QByteArray &method = "POST");
    // `body` a JSON array or object; anything else sends no body.
    Reply admin(const QByteArray &method, const QByteArray &route, const QJsonValue &body = {});

private:
    quint16 m_port;
    QString m_dataDir;
    UpstreamClient m_client;
};
