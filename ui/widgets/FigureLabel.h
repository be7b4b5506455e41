#pragma once

#include <QLabel>

// A one-line label for a figure that changes several times a second (a counter, "Updated
// 14:02:03"). A QLabel whose text changes asks its layout to lay out again, and that goes up
// through every layout to the window: on the Overview, four times a second, a tenth of the GUI
// thread's time went into laying out the charts again for a new request count (bench/console).
// This one keeps a fixed size (QWidget::updateGeometry stops at a widget whose minimum and
// maximum sizes are equal) that grows when a text needs more room and never shrinks, so changing
// figures neither re-lay out the page nor make their neighbours jitter.
class FigureLabel : public QLabel
{
    Q_OBJECT
public:
    explicit FigureLabel(const QString &text = QString(), QWidget *parent = nullptr);

    // Sets the text, growing the label first if it needs more room.
    void setFigure(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void fit(bool mayShrink);
};
