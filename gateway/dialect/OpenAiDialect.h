#pragma once

#include "Dialect.h"

// OpenAI Chat Completions, as spoken by OpenAI, DeepSeek, Qwen, Moonshot, GLM, Ollama, vLLM ...
class OpenAiDialect : public Dialect
{
public:
    ApiDialect id() const override { return ApiDialect::OpenAi; }
    std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const override;
    QByteArray upstreamBody(const ChatRequest &request) const override;
    TokenUsage usageFromResponse(const QByteArray &body) const override;
    std::unique_ptr<StreamMeter> newStreamMeter(const ChatRequest &request) const override;
    QString outputText(const QByteArray &responseBody) const override;
    QByteArray errorBody(Error error, const QString &message) const override;
    QByteArray streamErrorEvent(Error error, const QString &message) const override;

    static TokenUsage usageFromJson(const QJsonObject &usage);
    // stream_options.include_usage, as the client sent it.
    static bool clientWantsUsage(const QJsonObject &body);
};
