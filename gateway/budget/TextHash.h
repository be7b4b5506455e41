#pragma once

#include <QStringView>

#include <functional>
#include <string_view>

// Hashes text for the budget and rate-limit maps, which are looked up on every request and every
// streamed chunk. Deliberately not qHash(QString): Qt 6.4's string hash runs 256-bit AES
// instructions, and on an AVX-512 machine the ordinary SSE code that ran after it was several
// times slower (BudgetLedger::progress() measured 200 ns with it, 70 ns with this; see
// docs/budgets.md). The standard library's hash over the UTF-16 code units has no such effect.
struct TextHash
{
    size_t operator()(QStringView text) const noexcept
    {
        return std::hash<std::u16string_view>()(std::u16string_view(text.utf16(), size_t(text.size())));
    }

    // Order-dependent mix of two hashes (boost's hash_combine constant).
    static size_t combine(size_t seed, size_t value) noexcept
    {
        return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
    }
};
