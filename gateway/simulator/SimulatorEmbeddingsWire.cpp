#include "SimulatorEmbeddingsWire.h"

#include "SimulatorJson.h"
#include "SimulatorText.h"

#include <QtEndian>

#include <cmath>

SimulatorEmbeddingsWire::SimulatorEmbeddingsWire(const SimulatorAnswer &answer, const SimulatorEmbeddingsRequest &request)
    : SimulatorWire(answer), m_request(request)
{
}

QList<float> SimulatorEmbeddingsWire::vector(quint64 seed, int dimensions)
{
    QList<float> v;
    v.reserve(dimensions);
    quint64 state = seed;
    double norm = 0;
    for (int i = 0; i < dimensions; ++i) {
        // The top 24 bits of a draw make a float in [-1, 1).
        const quint64 z = SimulatorText::next(state);
        const double x = double(z >> 40) / double(1 << 23) - 1.0;
        v.append(float(x));
        norm += x * x;
    }
    // Unit length, as OpenAI's embeddings are, so a dot product is a cosine similarity.
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
    for (float &x : v)
        x = float(x * scale);
    return v;
}

QByteArray SimulatorEmbeddingsWire::body() const
{
    QByteArray out = R"({"object":"list","data":[)";
    for (qsizetype i = 0; i < m_request.seeds.size(); ++i) {
        const QList<float> v = vector(m_request.seeds.at(i), m_request.dimensions);
        out += (i ? "," : "") + QByteArray(R"({"object":"embedding","index":)") + QByteArray::number(i) + R"(,"embedding":)";
        if (m_request.base64) {
            QByteArray raw(v.size() * 4, Qt::Uninitialized);
            for (qsizetype k = 0; k < v.size(); ++k)
                qToLittleEndian(v.at(k), raw.data() + k * 4);
            out += '"' + raw.toBase64() + '"';
        } else {
            out += '[';
            for (qsizetype k = 0; k < v.size(); ++k) {
                if (k)
                    out += ',';
                out += QByteArray::number(double(v.at(k)), 'g', 9); // 9 digits read back as the same float32
            }
            out += ']';
        }
        out += '}';
    }
    out += R"(],"model":)" + SimulatorJson::string(m_answer.model);
    if (!m_answer.omitUsage)
        out += R"(,"usage":{"prompt_tokens":)" + QByteArray::number(m_answer.promptTokens) + R"(,"total_tokens":)"
            + QByteArray::number(m_answer.promptTokens) + "}";
    return out + "}";
}

HttpHeaders SimulatorEmbeddingsWire::headers(bool stream) const
{
    HttpHeaders h = contentHeaders(stream);
    h.add("x-request-id", "req_" + m_answer.id);
    return h;
}
