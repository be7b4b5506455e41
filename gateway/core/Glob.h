#pragma once

#include <QStringView>

// The one glob TokenFuse matches names with: upstream "models", price-table entries, budget and
// rate-limit "match". `*` matches any run of characters, `/` included (model ids such as
// "meta-llama/Llama-3.3-70B-Instruct" or "anthropic/claude-sonnet-4-6"), `?` exactly one
// character; there is no escape and no character class. Case is ignored (Unicode case folding):
// providers do not tell models apart by case, and people write "llama-*" for "Llama-3.3".
// Allocates nothing: it runs for every rule on every request.
class Glob
{
public:
    static bool matches(QStringView pattern, QStringView text);
    static bool isGlob(QStringView pattern);
    // How many characters come before the first * or ?: how specific a pattern is.
    static qsizetype literalPrefix(QStringView pattern);
};
