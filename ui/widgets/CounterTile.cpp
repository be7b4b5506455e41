#include "CounterTile.h"

#include "ConsolePalette.h"
#include "FigureLabel.h"

#include <QLabel>
#include <QVBoxLayout>

CounterTile::CounterTile(const QString &key, const QString &caption, QWidget *parent)
    : CardFrame(parent)
    , m_caption(new QLabel(caption.toUpper(), this))
    , m_value(new FigureLabel(QStringLiteral("—"), this))
    , m_detail(new FigureLabel(QString(), this))
{
    setObjectName(key + QStringLiteral("Tile"));
    m_caption->setObjectName(key + QStringLiteral("Caption"));
    m_value->setObjectName(key + QStringLiteral("Value"));
    m_detail->setObjectName(key + QStringLiteral("Detail"));

    ConsolePalette::scaleFont(m_caption, 0.82, QFont::DemiBold);
    ConsolePalette::makeMuted(m_caption);
    ConsolePalette::scaleFont(m_value, 1.9, QFont::Bold);
    ConsolePalette::scaleFont(m_detail, 0.9, QFont::Normal);
    ConsolePalette::makeMuted(m_detail);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(2);
    layout->addWidget(m_caption);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    layout->addStretch(1);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void CounterTile::setValue(const QString &text)
{
    m_value->setFigure(text);
}

void CounterTile::setDetail(const QString &text)
{
    m_detail->setFigure(text);
}

void CounterTile::setAlert(bool alert)
{
    if (alert == m_alert)
        return;
    m_alert = alert;
    QPalette palette = m_value->palette();
    palette.setColor(QPalette::WindowText, alert ? ConsolePalette::failure() : this->palette().color(QPalette::WindowText));
    m_value->setPalette(palette);
}

QString CounterTile::value() const { return m_value->text(); }
QString CounterTile::detail() const { return m_detail->text(); }
