#include "SeriesColours.h"

#include <array>

namespace {

// Ten hues that stay apart from each other on a light and a dark card, none of them grey.
constexpr std::array<QRgb, 10> Hues = {0x2563eb, 0xea580c, 0x0d9488, 0xc026d3, 0x65a30d,
                                       0xdb2777, 0x0891b2, 0xca8a04, 0x7c3aed, 0x4f46e5};

} // namespace

QColor SeriesColours::colour(const QString &key)
{
    if (key == otherKey())
        return otherColour();
    auto it = m_index.constFind(key);
    if (it == m_index.constEnd())
        it = m_index.insert(key, int(m_index.size()));
    return QColor(Hues.at(size_t(*it) % Hues.size()));
}

QColor SeriesColours::otherColour()
{
    return QColor(0x94, 0xa3, 0xb8);
}
