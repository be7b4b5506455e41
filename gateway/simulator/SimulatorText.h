#pragma once

#include <QByteArray>
#include <QList>

// The simulator's deterministic answer text: sentences of words from a small fixed vocabulary,
// one token per word (its leading space included), drawn by a generator seeded from the request.
// The same seed always gives the same words on every platform and Qt version, and a shorter answer
// is always a prefix of a longer one, so a capped answer is the uncapped one cut short.
class SimulatorText
{
public:
    // FNV-1a, 64 bit: stable everywhere, unlike qHash, whose seed and algorithm may vary.
    static quint64 hash(const QByteArray &bytes, quint64 seed = 0xcbf29ce484222325ULL);
    // splitmix64: advances the state and returns the next draw. Tiny, fast and well mixed; every
    // deterministic choice the simulator makes (words, tool arguments, embeddings) draws from it.
    static quint64 next(quint64 &state);

    // The first `count` tokens of the answer for `seed`. A complete answer (`cut` false) ends its
    // last sentence with a full stop; a cut one stops mid-sentence, as a model hitting max_tokens does.
    static QList<QByteArray> tokens(quint64 seed, int count, bool cut);
};
