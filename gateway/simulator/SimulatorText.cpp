#include "SimulatorText.h"

#include <array>

namespace {
// Plain ASCII words: nothing to escape in JSON, nothing a client could mis-decode.
constexpr std::array<const char *, 64> kWords = {
    "the", "model", "answer", "token", "stream", "gateway", "budget", "agent",
    "request", "simple", "quick", "local", "response", "will", "can", "and",
    "with", "for", "of", "to", "in", "a", "is", "this",
    "that", "test", "offline", "cost", "limit", "usage", "every", "word",
    "sample", "reply", "system", "value", "count", "later", "first", "next",
    "again", "small", "clear", "plain", "steady", "data", "each", "when",
    "runs", "works", "keeps", "shows", "makes", "takes", "brings", "returns",
    "fast", "calm", "exact", "fair", "new", "same", "short", "long"};
} // namespace

quint64 SimulatorText::next(quint64 &state)
{
    quint64 z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

quint64 SimulatorText::hash(const QByteArray &bytes, quint64 seed)
{
    quint64 h = seed;
    for (const char c : bytes) {
        h ^= quint8(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

QList<QByteArray> SimulatorText::tokens(quint64 seed, int count, bool cut)
{
    QList<QByteArray> out;
    out.reserve(qMax(0, count));
    quint64 state = seed;
    int sentenceLeft = 0;
    for (int i = 0; i < count; ++i) {
        const bool sentenceStart = sentenceLeft == 0;
        if (sentenceStart)
            sentenceLeft = 5 + int(next(state) % 9); // 5..13 words
        QByteArray word = kWords[next(state) % kWords.size()];
        if (sentenceStart)
            word[0] = char(word[0] - 'a' + 'A');
        --sentenceLeft;
        const bool last = i == count - 1;
        if (sentenceLeft == 0 || (last && !cut))
            word += '.';
        out.append(i == 0 ? word : ' ' + word);
    }
    return out;
}
