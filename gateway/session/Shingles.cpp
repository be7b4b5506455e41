#include "Shingles.h"

#include <algorithm>

namespace {
constexpr quint64 kFnvBasis = 14695981039346656037ULL;
constexpr quint64 kFnvPrime = 1099511628211ULL;
constexpr quint64 kPlaceholder = 0x9e3779b97f4a7c15ULL; // every volatile id reads as this one word

quint64 mix(quint64 x)
{
    // splitmix64's finaliser: shingle hashes spread evenly, which bottom-k sketches rely on.
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

bool separates(char16_t c)
{
    // ASCII first: almost every character of a prompt is, and QChar's tables cost a call each.
    if (c < 128 && ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')))
        return false;
    switch (c) {
    case u'"': case u'\'': case u'`': case u',': case u';': case u'(': case u')': case u'[': case u']':
    case u'{': case u'}': case u'<': case u'>': case u'=': case u'|': case u'*': case u'!': case u'?':
    case u'\\': case u'&': case u'+': case u'~': case u'^': case u'$': case u'@':
        return true;
    default:
        return QChar::isSpace(c);
    }
}

bool trimmable(char16_t c)
{
    return c == u'.' || c == u':' || c == u'-' || c == u'_' || c == u'/' || c == u'#' || c == u'%';
}

bool isHex(char16_t c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
}

// One word, lowercased: its hash, or the placeholder for what looks like an id, a date or a number.
quint64 wordHash(QStringView word)
{
    int digits = 0;
    int letters = 0;
    bool allHex = true;
    quint64 h = kFnvBasis;
    for (QChar ch : word) {
        char16_t c = ch.unicode();
        if (c < 128) {
            if (c >= u'A' && c <= u'Z')
                c = char16_t(c + 32);
            if (c >= u'0' && c <= u'9')
                ++digits;
            else if (c >= u'a' && c <= u'z')
                ++letters;
        } else {
            c = char16_t(ch.toLower().unicode());
            if (ch.isLetter())
                ++letters;
        }
        allHex = allHex && isHex(c);
        h = (h ^ c) * kFnvPrime;
    }
    const qsizetype n = word.size();
    // 2026-12-01T22:03:46Z, 1733090626, 550e8400-e29b-..., req_011CUbX3..., toolu_01A2..., 3f9a2c1d
    if (digits >= 4 || (allHex && n >= 8 && digits > 0) || (n >= 16 && digits > 0 && letters > 0))
        return kPlaceholder;
    return h;
}
} // namespace

std::vector<quint64> Shingles::words(QStringView text, qsizetype maxChars)
{
    std::vector<quint64> out;
    const qsizetype end = std::min(text.size(), maxChars);
    qsizetype i = 0;
    while (i < end) {
        while (i < end && separates(text[i].unicode()))
            ++i;
        qsizetype start = i;
        while (i < end && !separates(text[i].unicode()))
            ++i;
        qsizetype stop = i;
        while (start < stop && trimmable(text[start].unicode()))
            ++start;
        while (stop > start && trimmable(text[stop - 1].unicode()))
            --stop;
        if (stop > start)
            out.push_back(wordHash(text.sliced(start, stop - start)));
    }
    return out;
}

Shingles::Set Shingles::of(QStringView text, qsizetype maxChars)
{
    const std::vector<quint64> w = words(text, maxChars);
    Set set;
    if (w.empty())
        return set;
    if (w.size() < 3) {
        set.push_back(mix(w.front() * 31 + (w.size() == 2 ? w[1] : 0)));
        return set;
    }
    set.reserve(w.size() - 2);
    for (std::size_t i = 0; i + 2 < w.size(); ++i)
        set.push_back(mix(w[i] ^ mix(w[i + 1] + 0x632be59bd9b4e019ULL) ^ mix(mix(w[i + 2]) + 1)));
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
}

Shingles::Set Shingles::sketch(Set set, std::size_t k)
{
    if (set.size() > k)
        set.resize(k);
    return set;
}

double Shingles::resemblance(const Set &a, const Set &b, std::size_t k)
{
    if (a.empty() && b.empty())
        return 1.0;
    // The k smallest hashes of the union are a uniform sample of it; the share of them in both
    // sets estimates |A ∩ B| / |A ∪ B|. A sketch holds all of its set's hashes below its last one.
    std::size_t i = 0, j = 0, seen = 0, both = 0;
    while (seen < k && (i < a.size() || j < b.size())) {
        if (j == b.size() || (i < a.size() && a[i] < b[j])) {
            ++i;
        } else if (i == a.size() || b[j] < a[i]) {
            ++j;
        } else {
            ++both;
            ++i;
            ++j;
        }
        ++seen;
    }
    return seen == 0 ? 1.0 : double(both) / double(seen);
}

double Shingles::containment(const Set &part, const Set &whole)
{
    if (part.empty())
        return 0.0;
    std::size_t i = 0, j = 0, found = 0;
    while (i < part.size() && j < whole.size()) {
        if (part[i] < whole[j])
            ++i;
        else if (whole[j] < part[i])
            ++j;
        else {
            ++found;
            ++i;
            ++j;
        }
    }
    return double(found) / double(part.size());
}

quint64 Shingles::digest(QStringView text, qsizetype maxChars)
{
    quint64 h = kFnvBasis;
    for (quint64 w : words(text, maxChars))
        h = mix(h ^ w);
    return h;
}
