#pragma once

#include <QColor>

class QPalette;
class QWidget;

// The few colours the console uses beyond the style's palette, derived from that palette where
// possible so the window stays readable on a light or a dark Fusion palette.
namespace ConsolePalette {

// The console's dark palette (Fusion's own is light only), and whether the desktop asks for dark:
// the platform's palette is dark (a dark GTK or KDE theme), GNOME's color-scheme says
// prefer-dark, GTK_THEME ends in ":dark", or TOKENFUSE_THEME=dark (TOKENFUSE_THEME=light wins
// over all of them).
QPalette darkPalette();
bool systemPrefersDark(const QPalette &platformPalette);
bool isDark(const QPalette &palette);

QColor mutedText(const QPalette &palette);  // captions, secondary figures
QColor cardBorder(const QPalette &palette);
QColor success();                           // running
QColor pending();                           // starting, waiting
QColor failure();                           // failed, failing requests, a tripped session
QColor stopped();                           // stopped by hand: a killed session
QColor tokensSeries();
QColor requestsSeries();

// An accent colour made readable as text on `background`: lightened on a dark one, as is on a
// light one (the accents above are chosen for light backgrounds).
QColor readableOn(const QColor &accent, const QColor &background);

// Gives a label (or any widget drawing text) the muted text colour.
void makeMuted(QWidget *widget);
// Scales a widget's font relative to the application font and sets its weight.
void scaleFont(QWidget *widget, qreal factor, int weight);

} // namespace ConsolePalette
