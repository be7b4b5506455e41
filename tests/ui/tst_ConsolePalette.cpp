// ConsolePalette: the dark palette reads (text on window and base at WCAG's 4.5:1 or more), and the
// console goes dark when the desktop asks for it: a dark platform palette, GTK_THEME=...:dark, or
// TOKENFUSE_THEME, which wins either way.
#include "ConsolePalette.h"

#include <QPalette>
#include "support/WcagContrast.h"

#include <QtTest>


namespace {
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
        QVERIFY(WcagContrast::ratio(dark.color(QPalette::WindowText), dark.color(QPalette::Window)) >= 4.5);
        QVERIFY(WcagContrast::ratio(dark.color(QPalette::Text), dark.color(QPalette::Base)) >= 4.5);
        QVERIFY(WcagContrast::ratio(dark.color(QPalette::ButtonText), dark.color(QPalette::Button)) >= 4.5);
        QVERIFY(WcagContrast::ratio(dark.color(QPalette::HighlightedText), dark.color(QPalette::Highlight)) >= 3.0);
        QVERIFY(WcagContrast::ratio(ConsolePalette::mutedText(dark), dark.color(QPalette::Window)) >= 3.0);
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
