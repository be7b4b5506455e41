#pragma once

#include <QList>
#include <QWidget>

class QGridLayout;

// Lays counter tiles out in one row when the window is wide enough, else in two or three rows of
// equal columns, so no figure is ever squeezed or clipped.
class TileGrid : public QWidget
{
    Q_OBJECT
public:
    explicit TileGrid(QWidget *parent = nullptr);

    void addTile(QWidget *tile);
    int columns() const { return m_columns; }

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    int columnsFor(int width) const;
    int widestTile() const;
    void reflow(int columns);

    QGridLayout *m_grid = nullptr;
    QList<QWidget *> m_tiles;
    int m_columns = 0;
};
