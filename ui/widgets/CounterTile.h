#pragma once

#include "CardFrame.h"

class QLabel;

// One figure of the console at a glance: a caption, a large value and a line of detail. Child
// labels are named `<key>Value` and `<key>Detail`, the tile itself `<key>Tile`.
class FigureLabel;

class CounterTile : public CardFrame
{
    Q_OBJECT
public:
    CounterTile(const QString &key, const QString &caption, QWidget *parent = nullptr);

    void setValue(const QString &text);
    // One short line; longer explanations belong in the tooltip.
    void setDetail(const QString &text);
    // Draws the value in the failure colour, for figures that call for attention.
    void setAlert(bool alert);

    QString value() const;
    QString detail() const;

private:
    QLabel *m_caption = nullptr;
    FigureLabel *m_value = nullptr;
    FigureLabel *m_detail = nullptr;
    bool m_alert = false;
};
