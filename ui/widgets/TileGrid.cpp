#include "TileGrid.h"

#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace {
constexpr int Spacing = 12;
}

TileGrid::TileGrid(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(Spacing);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void TileGrid::addTile(QWidget *tile)
{
    tile->setParent(this);
    m_tiles.append(tile);
    reflow(int(m_tiles.size()));
}

QSize TileGrid::minimumSizeHint() const
{
    // Two columns is the narrowest arrangement; the height is that of the current one.
    const int columns = std::min<int>(2, int(m_tiles.size()));
    return {columns * widestTile() + std::max(0, columns - 1) * Spacing, m_grid->minimumSize().height()};
}

void TileGrid::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const int columns = columnsFor(event->size().width());
    if (columns != m_columns)
        reflow(columns);
}

int TileGrid::columnsFor(int width) const
{
    const int count = int(m_tiles.size());
    const int widest = widestTile();
    // Only arrangements that fill every row.
    for (int columns = count; columns > 1; --columns) {
        if (count % columns == 0 && columns * widest + (columns - 1) * Spacing <= width)
            return columns;
    }
    return std::min(2, count);
}

int TileGrid::widestTile() const
{
    int widest = 0;
    for (const QWidget *tile : m_tiles)
        widest = std::max(widest, tile->minimumSizeHint().width());
    return widest;
}

void TileGrid::reflow(int columns)
{
    m_columns = std::max(1, columns);
    for (QWidget *tile : std::as_const(m_tiles))
        m_grid->removeWidget(tile);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    for (qsizetype i = 0; i < m_tiles.size(); ++i)
        m_grid->addWidget(m_tiles.at(i), int(i) / m_columns, int(i) % m_columns);
    for (int c = 0; c < m_columns; ++c)
        m_grid->setColumnStretch(c, 1);
    updateGeometry();
}
