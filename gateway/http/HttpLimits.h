#pragma once

#include <QtGlobal>

// What the server accepts before it answers with an error instead. The defaults fit LLM traffic:
// prompts with images run to a few MiB, headers stay small.
struct HttpLimits
{
    qint64 maxHeaderBytes = 32 * 1024;        // request line + all header fields -> 431
    qint64 maxBodyBytes = 32 * 1024 * 1024;   // -> 413
    int headerTimeoutMs = 10'000;             // from the first byte to the end of the headers -> 408
    int bodyTimeoutMs = 60'000;               // from the end of the headers to the end of the body -> 408
    int keepAliveTimeoutMs = 60'000;          // idle connection between requests -> closed
    int maxConnections = 4'000;               // beyond this the server stops accepting until one closes
};
