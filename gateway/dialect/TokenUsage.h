#pragma once

#include <QtGlobal>

// Token counts of one exchange as the upstream reported them (or as TokenFuse estimated them).
struct TokenUsage
{
    qint64 promptTokens = 0;     // all input tokens, cached ones included
    qint64 cachedTokens = 0;     // the part of promptTokens read from the provider's prompt cache
    qint64 completionTokens = 0;
    qint64 reasoningTokens = 0;  // the part of completionTokens the model spent reasoning (when reported)
    bool reported = false;       // the upstream said so; false = estimated or unknown
};
