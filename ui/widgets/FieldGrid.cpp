#include "FieldGrid.h"

#include "ConsolePalette.h"

#include <QGridLayout>
#include <QLabel>

FieldGrid::FieldGrid(const QString &objectNamePrefix, QWidget *parent)
    : QWidget(parent), m_prefix(objectNamePrefix), m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(18);
    m_grid->setVerticalSpacing(1);
}

void FieldGrid::addField(const QString &key, const QString &caption, int row, int column, int span)
{
    auto *label = new QLabel(caption, this);
    ConsolePalette::makeMuted(label);
    ConsolePalette::scaleFont(label, 0.9, QFont::Normal);
    label->setContentsMargins(0, row > 0 ? 6 : 0, 0, 0); // a little air between the lines of fields
    label->setMinimumWidth(0);
    auto *value = new QLabel(this);
    value->setObjectName(m_prefix + key);
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setTextFormat(Qt::PlainText);
    value->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Long values wrap instead of widening the pane.
    value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_grid->addWidget(label, row, column, 1, span);
    m_grid->addWidget(value, row + 1, column, 1, span, Qt::AlignTop);
    m_values.insert(key, value);
    m_captions.insert(key, label);
}

void FieldGrid::setField(const QString &key, const QString &text)
{
    QLabel *value = m_values.value(key);
    const bool shown = !text.isEmpty();
    if (value->isHidden() == shown) {
        value->setVisible(shown);
        m_captions.value(key)->setVisible(shown);
    }
    if (value->text() != text)
        value->setText(text);
}

void FieldGrid::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitHeights();
}

void FieldGrid::fitHeights()
{
    for (QLabel *value : std::as_const(m_values)) {
        const int height = value->heightForWidth(qMax(1, value->width()));
        if (height > 0 && value->minimumHeight() != height)
            value->setMinimumHeight(height);
    }
}
