#include "ConsolePalette.h"

#include <QPalette>
#include <QProcess>
#include <QWidget>

namespace {

QColor blend(const QColor &a, const QColor &b, qreal amountOfB)
{
    const qreal keep = 1.0 - amountOfB;
    return QColor::fromRgbF(float(a.redF() * keep + b.redF() * amountOfB),
                            float(a.greenF() * keep + b.greenF() * amountOfB),
                            float(a.blueF() * keep + b.blueF() * amountOfB));
}

} // namespace

namespace ConsolePalette {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x25, 0x27, 0x2b), base(0x1c, 0x1d, 0x21), text(0xe6, 0xe7, 0xea), button(0x30, 0x33, 0x38);
    const QColor highlight(0x3b, 0x82, 0xf6);
    for (const QPalette::ColorGroup g : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(g, QPalette::Window, window);
        p.setColor(g, QPalette::WindowText, text);
        p.setColor(g, QPalette::Base, base);
        p.setColor(g, QPalette::AlternateBase, window);
        p.setColor(g, QPalette::ToolTipBase, button);
        p.setColor(g, QPalette::ToolTipText, text);
        p.setColor(g, QPalette::PlaceholderText, blend(text, base, 0.5));
        p.setColor(g, QPalette::Text, text);
        p.setColor(g, QPalette::Button, button);
        p.setColor(g, QPalette::ButtonText, text);
        p.setColor(g, QPalette::BrightText, Qt::white);
        p.setColor(g, QPalette::Light, button.lighter(140));
        p.setColor(g, QPalette::Midlight, button.lighter(120));
        p.setColor(g, QPalette::Mid, button.darker(120));
        p.setColor(g, QPalette::Dark, button.darker(160));
        p.setColor(g, QPalette::Shadow, Qt::black);
        p.setColor(g, QPalette::Highlight, highlight);
        p.setColor(g, QPalette::HighlightedText, Qt::white);
        p.setColor(g, QPalette::Link, highlight.lighter(130));
        p.setColor(g, QPalette::LinkVisited, QColor(0xa7, 0x8b, 0xfa));
    }
    const QColor disabled = blend(text, window, 0.55);
    p.setColor(QPalette::Disabled, QPalette::Window, window);
    p.setColor(QPalette::Disabled, QPalette::Base, base);
    p.setColor(QPalette::Disabled, QPalette::Button, button);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, button.lighter(130));
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabled);
    return p;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

bool systemPrefersDark(const QPalette &platformPalette)
{
    const QString forced = qEnvironmentVariable("TOKENFUSE_THEME").toLower();
    if (forced == QLatin1String("light"))
        return false;
    if (forced == QLatin1String("dark") || qEnvironmentVariable("GTK_THEME").endsWith(QLatin1String(":dark")))
        return true;
    if (isDark(platformPalette))
        return true;
    // GNOME 42 and later keep the light/dark choice here, whatever the GTK theme.
    QProcess gsettings;
    gsettings.start(QStringLiteral("gsettings"), {QStringLiteral("get"), QStringLiteral("org.gnome.desktop.interface"), QStringLiteral("color-scheme")});
    if (!gsettings.waitForFinished(500)) {
        gsettings.kill();
        gsettings.waitForFinished(100);
        return false;
    }
    return gsettings.exitCode() == 0 && gsettings.readAllStandardOutput().contains("dark");
}

QColor mutedText(const QPalette &palette)
{
    return blend(palette.color(QPalette::WindowText), palette.color(QPalette::Window), 0.45);
}

QColor cardBorder(const QPalette &palette)
{
    return blend(palette.color(QPalette::Window), palette.color(QPalette::WindowText), 0.14);
}

QColor success() { return QColor(0x16, 0xa3, 0x4a); }
QColor pending() { return QColor(0xd9, 0x77, 0x06); }
QColor failure() { return QColor(0xdc, 0x26, 0x26); }
QColor stopped() { return QColor(0x93, 0x33, 0xea); }
QColor tokensSeries() { return QColor(0x25, 0x63, 0xeb); }
QColor requestsSeries() { return QColor(0xea, 0x58, 0x0c); }

QColor readableOn(const QColor &accent, const QColor &background)
{
    return background.lightness() < 128 ? blend(accent, Qt::white, 0.35) : accent;
}

void makeMuted(QWidget *widget)
{
    QPalette palette = widget->palette();
    palette.setColor(QPalette::WindowText, mutedText(palette));
    widget->setPalette(palette);
}

void scaleFont(QWidget *widget, qreal factor, int weight)
{
    QFont font = widget->font();
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    else
        font.setPixelSize(qRound(font.pixelSize() * factor));
    font.setWeight(QFont::Weight(weight));
    widget->setFont(font);
}

} // namespace ConsolePalette
