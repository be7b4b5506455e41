#pragma once

#include "OpenAiDialect.h"

// OpenAI's legacy completions (/v1/completions): "prompt" in, choices[].text out, `max_tokens`;
// streamed like chat (TokenFuse asks for stream_options.include_usage and removes that chunk when
// the client did not ask for it), so it shares chat's usage reading and stream meter.
class CompletionsDialect : public OpenAiDialect
{
public:
    std::optional<ChatRequest> parseRequest(const QByteArray &body, QString *error) const override;
};
