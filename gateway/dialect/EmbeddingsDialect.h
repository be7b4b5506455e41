#pragma once

#include "OpenAiDialect.h"

// OpenAI embeddings (/v1/embeddings): "input" in, vectors out; usage.prompt_tokens is all there is
// (no output tokens), so the worst case is the prompt alone. Never streamed.
class EmbeddingsDialect : public OpenAiDialect
{
public:
    std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const override;
    QByteArray upstreamBody(const ChatRequest &) const override { return {}; }
};
