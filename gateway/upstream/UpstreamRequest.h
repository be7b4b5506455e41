#pragma once

#include "http/HttpHeaders.h"

#include <QUrl>

struct UpstreamTimeouts
{
    int connectMs = 5'000;     // TCP (and TLS) connection established
    int firstByteMs = 60'000;  // request sent -> first byte of the response
    int idleMs = 30'000;       // longest silence between two pieces of the response
    int totalMs = 600'000;     // the whole exchange
};

// What to send upstream: a copyable value. The client adds Host, Content-Length and
// Accept-Encoding: identity (a compressed stream could not be counted chunk by chunk).
struct UpstreamRequest
{
    QUrl url;
    QByteArray method = "POST";
    HttpHeaders headers;
    QByteArray body;
    UpstreamTimeouts timeouts;
};
