#pragma once

#include "SimulatorError.h"

#include <QByteArray>
#include <QList>

#include <optional>

// What the simulator needs from a POST /v1/embeddings body, checked as OpenAI checks it: `input`
// is a string, a list of strings, or token ids (a list of numbers or of lists of numbers), each
// list element one input with a vector of its own.
struct SimulatorEmbeddingsRequest
{
    // text-embedding-3-small's size, used unless `dimensions` asks for another.
    static constexpr int kDefaultDimensions = 1536;
    static constexpr int kMaxDimensions = 8192;

    QByteArray model;
    QList<quint64> seeds;  // one per input, from model + that input: the same text, the same vector
    int dimensions = kDefaultDimensions;
    bool base64 = false;   // encoding_format "base64": little-endian float32s, base64-encoded
    int promptTokens = 0;  // every input's tokens by SimulatorTokenizer (token ids count one each)

    static std::optional<SimulatorEmbeddingsRequest> parse(const QByteArray &body, SimulatorError *error);
};
