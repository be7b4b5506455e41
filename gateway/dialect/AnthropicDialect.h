#pragma once

#include "Dialect.h"

// Anthropic Messages: usage arrives in message_start (input) and message_delta (output, cumulative).
class AnthropicDialect : public Dialect
{
public:
    ApiDialect id() const override { return ApiDialect::Anthropic; }
    std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const override;
    QByteArray upstreamBody(const ChatRequest &request) const override;
    TokenUsage usageFromResponse(const QByteArray &body) const override;
    std::unique_ptr<StreamMeter> newStreamMeter(const ChatRequest &request) const override;
    QString outputText(const QByteArray &responseBody) const override;
    QByteArray errorBody(Error error, const QString &message) const override;
    QByteArray streamErrorEvent(Error error, const QString &message) const override;

    // Input tokens as Anthropic splits them (uncached, cache reads, cache writes) summed.
    static void readInput(const QJsonObject &usage, TokenUsage *into);
};
