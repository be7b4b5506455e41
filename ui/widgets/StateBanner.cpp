#include "StateBanner.h"

#include "ConsolePalette.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>

namespace {
constexpr int IconSize = 18;
constexpr int IconLeft = 14;
}

StateBanner::StateBanner(QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
{
    m_text->setObjectName(QStringLiteral("bannerText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    // Room on the left for the painted icon.
    layout->setContentsMargins(IconLeft + IconSize + 10, 10, 14, 10);
    layout->addWidget(m_text, 1);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void StateBanner::setMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    m_text->setText(text);
    update();
}

QString StateBanner::text() const
{
    return m_text->text();
}

QPushButton *StateBanner::addButton(const QString &text)
{
    auto *button = new QPushButton(text, this);
    static_cast<QHBoxLayout *>(layout())->addWidget(button, 0, Qt::AlignVCenter);
    return button;
}

QColor StateBanner::accent() const
{
    switch (m_kind) {
    case Kind::Info:
        return ConsolePalette::tokensSeries();
    case Kind::Warning:
        return ConsolePalette::pending();
    case Kind::Error:
        return ConsolePalette::failure();
    }
    return ConsolePalette::pending();
}

void StateBanner::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);

    // A light tint of the accent over the window colour, so it works on dark palettes too.
    QColor fill = accent();
    fill.setAlphaF(0.12f);
    QColor border = accent();
    border.setAlphaF(0.55f);
    const QRectF frame = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    painter.setPen(QPen(border, 1.0));
    painter.setBrush(fill);
    painter.drawRoundedRect(frame, 8, 8);

    const QRectF icon(IconLeft, (height() - IconSize) / 2.0, IconSize, IconSize);
    painter.setPen(Qt::NoPen);
    painter.setBrush(accent());
    painter.drawEllipse(icon);
    QFont font = this->font();
    font.setBold(true);
    font.setPixelSize(IconSize - 5);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(icon, Qt::AlignCenter, m_kind == Kind::Info ? QStringLiteral("i") : QStringLiteral("!"));
}
