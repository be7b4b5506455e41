#include "SubjectGlob.h"

namespace {
bool sameFolded(QChar a, QChar b)
{
    return a == b || a.toCaseFolded() == b.toCaseFolded();
}
} // namespace

bool SubjectGlob::matches(QStringView pattern, QStringView text)
{
    if (pattern.size() == 1 && pattern[0] == u'*')
        return true;
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

bool SubjectGlob::isGlob(QStringView pattern)
{
    return pattern.contains(u'*') || pattern.contains(u'?');
}
