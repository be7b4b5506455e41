#include "CardFrame.h"

#include "ConsolePalette.h"

#include <QPainter>

CardFrame::CardFrame(QWidget *parent)
    : QFrame(parent)
{
}

void CardFrame::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(ConsolePalette::cardBorder(palette()), 1.0));
    painter.setBrush(palette().color(QPalette::Base));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8);
}
