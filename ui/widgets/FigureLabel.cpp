#include "FigureLabel.h"

#include <QEvent>

FigureLabel::FigureLabel(const QString &text, QWidget *parent) : QLabel(text, parent)
{
    fit(true);
}

void FigureLabel::setFigure(const QString &text)
{
    if (text == this->text())
        return;
    // While its size is fixed, the new text does not reach the layouts; fit() then grows it if
    // the text needs more room, and only that goes up to them.
    setText(text);
    fit(false);
}

void FigureLabel::fit(bool mayShrink)
{
    const QSize hint = sizeHint();
    const int width = mayShrink ? hint.width() : qMax(hint.width(), minimumWidth());
    if (width != minimumWidth() || width != maximumWidth() || hint.height() != minimumHeight() || hint.height() != maximumHeight())
        setFixedSize(width, hint.height());
}

void FigureLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    // A new font (or style) measures differently: start again from this text.
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        fit(true);
}
