#pragma once

#include <QColor>

#include <cmath>

// WCAG 2's contrast ratio of two colours (1 to 21): 4.5 is the floor for body text, 3 for large
// text and UI parts. For the console tests that check a palette reads.
namespace WcagContrast {

inline double luminance(const QColor &c)
{
    const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

inline double ratio(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

} // namespace WcagContrast
