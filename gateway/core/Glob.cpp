#include "Glob.h"

namespace {
bool sameFolded(QChar a, QChar b)
{
    return a == b || a.toCaseFolded() == b.toCaseFolded();
}
} // namespace

bool Glob::matches(QStringView pattern, QStringView text)
{
    // Greedy with one backtrack point: linear for the patterns people write, no regex engine.
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype star = -1;
    qsizetype starText = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == u'*') {
            star = p++;
            starText = t;
        } else if (p < pattern.size() && (pattern[p] == u'?' || sameFolded(pattern[p], text[t]))) {
            ++p;
            ++t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++starText;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*')
        ++p;
    return p == pattern.size();
}

bool Glob::isGlob(QStringView pattern)
{
    return literalPrefix(pattern) < pattern.size();
}

qsizetype Glob::literalPrefix(QStringView pattern)
{
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == u'*' || pattern[i] == u'?')
            return i;
    }
    return pattern.size();
}
