#pragma once

#include <QLabel>

// A one-line label that ends in "…" when it is too narrow, instead of forcing its width on the
// window or wrapping (a wrapped label in a top-level window leaves the window's minimum height
// wrong). text() stays the full text; set it as the tooltip too when it can be long.
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
};
