#pragma once

#include <QStringView>
#include <QtGlobal>

#include <vector>

// Text to a set of word 3-shingles, for telling near-identical prompts apart from merely related
// ones. Words are normalised first: lowercased, and anything that changes on every call of a
// loop while meaning nothing (timestamps, ISO dates, UUIDs, hex ids, long numbers, request and
// tool-call ids) reads as one placeholder word; punctuation and whitespace only separate words.
// A set is a sorted vector of distinct 64-bit hashes; its first k hashes are a bottom-k MinHash
// sketch, which estimates Jaccard similarity without keeping the whole set.
class Shingles
{
public:
    using Set = std::vector<quint64>;

    // The normalised words of the first `maxChars` characters of `text`, as hashes.
    static std::vector<quint64> words(QStringView text, qsizetype maxChars);
    // Sorted distinct shingle hashes; a text of one or two words is one shingle, an empty text none.
    static Set of(QStringView text, qsizetype maxChars);
    // The first `k` hashes of a set: its bottom-k sketch.
    static Set sketch(Set set, std::size_t k);
    // Jaccard similarity of the sets two sketches of size k were taken from (exact when both sets
    // were smaller than k). Two empty sets are alike.
    static double resemblance(const Set &a, const Set &b, std::size_t k);
    // The share of `part`'s shingles that are also in `whole`: how much of an output a prompt carries.
    static double containment(const Set &part, const Set &whole);
    // One hash of the normalised words in order: equal for texts that differ only in ids and spacing.
    static quint64 digest(QStringView text, qsizetype maxChars);
};
