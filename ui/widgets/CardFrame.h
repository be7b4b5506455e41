#pragma once

#include <QFrame>

// A rounded, bordered panel on the base colour: the one surface every block of the console
// (tiles, chart, lists) sits on. Painted by hand rather than by a style sheet, so the sheet does
// not cascade into the widgets inside.
class CardFrame : public QFrame
{
    Q_OBJECT
public:
    explicit CardFrame(QWidget *parent = nullptr);

    // The space between the card's edge and its content, for the layouts inside.
    static QMargins padding() { return {14, 12, 14, 12}; }

protected:
    void paintEvent(QPaintEvent *event) override;
};
