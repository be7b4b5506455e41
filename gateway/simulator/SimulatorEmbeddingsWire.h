#pragma once

#include "SimulatorEmbeddingsRequest.h"
#include "SimulatorWire.h"

// OpenAI embeddings: a `list` of `embedding` objects, one per input, each a unit-length vector
// drawn from that input's seed (floats, or base64 of little-endian float32s), with
// `usage: {prompt_tokens, total_tokens}`. Embeddings never stream: only body() has content.
class SimulatorEmbeddingsWire : public SimulatorWire
{
public:
    SimulatorEmbeddingsWire(const SimulatorAnswer &answer, const SimulatorEmbeddingsRequest &request);

    // The vector for one seed, the same on every platform.
    static QList<float> vector(quint64 seed, int dimensions);

    QByteArray body() const override;
    QByteArray streamOpening() const override { return {}; }
    QByteArray streamToken(int) const override { return {}; }
    QByteArray streamClosing() const override { return {}; }
    QByteArray malformedEvent() const override { return {}; }
    HttpHeaders headers(bool stream) const override;

private:
    SimulatorEmbeddingsRequest m_request;
};
