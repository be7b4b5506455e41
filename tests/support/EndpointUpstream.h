#pragma once

#include "http/HttpServer.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>

class HttpResponder;
struct HttpRequest;

// A small OpenAI-style provider over a real socket for the endpoints the built-in simulator does
// not speak: /v1/responses (streamed in the Responses API's real event sequence, and not),
// /v1/embeddings, /v1/completions (streamed with include_usage like chat), and any other path
// answered without usage (JSON, or an SSE stream with `x-up-sse: 1`). Request headers steer it:
//   x-up-output-tokens  how many one-token text deltas ("abc") the answer has (default 20)
//   x-up-interval-ms    time between stream events (default 0: all at once)
//   x-up-input-tokens, x-up-cached-tokens, x-up-reasoning-tokens  the usage it reports
//   x-up-no-usage: 1    report no usage at all
//   x-up-status         the Responses terminal event: completed (default), incomplete, failed
// Lives on the thread that makes it.
class EndpointUpstream : public QObject
{
    Q_OBJECT
public:
    explicit EndpointUpstream(QObject *parent = nullptr);
    quint16 port() const { return m_server.serverPort(); }

    int requests = 0;
    int clientAborts = 0;   // streams whose client (the gateway) closed before the end
    int streamsFinished = 0;
    QJsonObject lastBody;   // the last request body as it arrived

private:
    void handle(const HttpRequest &request, HttpResponder *responder);
    void stream(HttpResponder *responder, QList<QByteArray> events, int intervalMs);

    HttpServer m_server;
};
