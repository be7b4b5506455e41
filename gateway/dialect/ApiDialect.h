#pragma once

#include <QString>

// The two API families TokenFuse speaks, on both sides of the proxy.
enum class ApiDialect { OpenAi, Anthropic };

inline QString dialectName(ApiDialect d)
{
    return d == ApiDialect::Anthropic ? QStringLiteral("anthropic") : QStringLiteral("openai");
}
