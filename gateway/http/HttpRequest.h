#pragma once

#include "HttpHeaders.h"

#include <QByteArray>
#include <QHostAddress>

// One parsed HTTP request as the server hands it to its handler: a copyable value.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; // as sent: path plus query
    QByteArray path;   // without the query
    QByteArray query;
    HttpHeaders headers; // names lower-cased
    QByteArray body;
    int httpMinor = 1;
    bool keepAlive = true;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    quint16 localPort = 0;
    quint64 connectionId = 0;
};
