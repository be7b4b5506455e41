#include "ConsolePalette.h"

#include <QPalette>
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
