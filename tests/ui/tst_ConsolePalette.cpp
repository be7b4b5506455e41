// ConsolePalette: the dark palette reads (text on window and base at WCAG's 4.5:1 or more), and the
// console goes dark when the desktop asks for it: a dark platform palette, GTK_THEME=...:dark, or
// TOKENFUSE_THEME, which wins either way.
#include "ConsolePalette.h"

#include <QPalette>
#include <QtTest>

#include <cmath>

namespace {
double luminance(const QColor &c)
{
    const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}
double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}
QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::WindowText, Qt::black);
    return p;
}
} // namespace

class tst_ConsolePalette : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        qunsetenv("TOKENFUSE_THEME");
        qunsetenv("GTK_THEME");
    }

    void theDarkPaletteReads()
    {
        const QPalette dark = ConsolePalette::darkPalette();
        QVERIFY(ConsolePalette::isDark(dark));
        QVERIFY(contrast(dark.color(QPalette::WindowText), dark.color(QPalette::Window)) >= 4.5);
        QVERIFY(contrast(dark.color(QPalette::Text), dark.color(QPalette::Base)) >= 4.5);
        QVERIFY(contrast(dark.color(QPalette::ButtonText), dark.color(QPalette::Button)) >= 4.5);
        QVERIFY(contrast(dark.color(QPalette::HighlightedText), dark.color(QPalette::Highlight)) >= 3.0);
        QVERIFY(contrast(ConsolePalette::mutedText(dark), dark.color(QPalette::Window)) >= 3.0);
    }

    void aDarkDesktopMakesADarkConsole()
    {
        QVERIFY(ConsolePalette::systemPrefersDark(ConsolePalette::darkPalette()));
        qputenv("GTK_THEME", "Adwaita:dark");
        QVERIFY(ConsolePalette::systemPrefersDark(lightPalette()));
    }

    void theEnvironmentWins()
    {
        qputenv("TOKENFUSE_THEME", "light");
        QVERIFY(!ConsolePalette::systemPrefersDark(ConsolePalette::darkPalette()));
        qputenv("TOKENFUSE_THEME", "dark");
        QVERIFY(ConsolePalette::systemPrefersDark(lightPalette()));
    }
};

QTEST_MAIN(tst_ConsolePalette)
#include "tst_ConsolePalette.moc"
