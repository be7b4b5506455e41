#include "FigureLabel.h"

#include <QEvent>
#include <QFontMetrics>

FigureLabel::FigureLabel(const QString &text, QWidget *parent) : QLabel(text, parent)
{
    fit(text, true);
}

void FigureLabel::setFigure(const QString &text)
{
    if (text == this->text())
        return;
    fit(text, false);
    setText(text);
}

void FigureLabel::fit(const QString &text, bool mayShrink)
{
    const QFontMetrics metrics(font());
    const QMargins margins = contentsMargins();
    const int width = metrics.horizontalAdvance(text) + margins.left() + margins.right() + 2 * margin() + 1;
    const int height = metrics.height() + margins.top() + margins.bottom() + 2 * margin();
    const int fixedWidth = mayShrink ? width : qMax(width, minimumWidth());
    if (fixedWidth != minimumWidth() || fixedWidth != maximumWidth() || height != minimumHeight() || height != maximumHeight())
        setFixedSize(fixedWidth, height);
}

void FigureLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    // A new font (or style) measures differently: start again from this text.
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        fit(text(), true);
}
