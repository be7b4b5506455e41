#pragma once

#include "OpenAiDialect.h"

// OpenAI's Responses API (/v1/responses), as Codex CLI and the Vercel AI SDK speak it: "input"
// (a string or items) and "instructions" in, `max_output_tokens`, usage as input/output tokens in
// the response object and in the stream's terminal event (response.completed, .incomplete or
// .failed). Routed to OpenAI-dialect upstreams; its error bodies are OpenAI's.
class ResponsesDialect : public OpenAiDialect
{
public:
    std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const override;
    QByteArray upstreamBody(const ChatRequest &request) const override;
    TokenUsage usageFromResponse(const QByteArray &body) const override;
    std::unique_ptr<StreamMeter> newStreamMeter(const ChatRequest &request) const override;
    QString outputText(const QByteArray &responseBody) const override;
    // An `error` event (the official SDKs raise on it) followed by `response.failed` (what Codex
    // reads), both carrying the OpenAI error object.
    QByteArray streamErrorEvent(Error error, const QString &message) const override;

    // input_tokens (cached ones included), input_tokens_details.cached_tokens, output_tokens
    // (reasoning included), output_tokens_details.reasoning_tokens.
    static TokenUsage usageFromJson(const QJsonObject &usage);
};
