#pragma once

#include <QtGlobal>

// What the server accepts before it answers with an error instead. The defaults fit LLM traffic:
// prompts with images run to a few MiB, headers stay small.
struct HttpLimits
{
    qint64 maxHeaderBytes = 32 * 1024;        // request line + all header fields -> 431
    qint64 maxBodyBytes = 32 * 1024 * 1024;   // one request's body -> 413
    // Request bodies held in memory at once, across every connection: a body that would pass it
    // is refused with 503 (at the headers when its length is declared, at the chunk when chunked).
    qint64 maxHeldBodyBytes = 256 * 1024 * 1024;
    int headerTimeoutMs = 10'000;             // from accept, or from a request's first byte, to the end of its headers -> 408
    // The body must keep moving: each window of this length must bring minBodyBytesPerSecond
    // times its seconds (at least one byte), or -> 408. A stalled body holds its memory one to two windows.
    int bodyTimeoutMs = 10'000;
    qint64 minBodyBytesPerSecond = 1024;
    int keepAliveTimeoutMs = 60'000;          // idle connection between requests -> closed
    // Beyond this the oldest idle connection is closed to make room; with none idle the new one is
    // closed at once and accepting waits until a connection closes or goes idle.
    int maxConnections = 4'000;
    // After an error answer that ends the connection, the input is read and dropped for up to this
    // long (or this many bytes) before the close, so the client reads the answer instead of a reset.
    int lingerMs = 2'000;
    qint64 lingerMaxBytes = 128 * 1024 * 1024;
};
