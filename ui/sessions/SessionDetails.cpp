#include "SessionDetails.h"

#include "widgets/FieldGrid.h"

#include "ConsoleFormat.h"
#include "ConsolePalette.h"

#include <QDateTime>
#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace {

QString time(qint64 ms)
{
    return ConsoleFormat::clockTime(ms, QDateTime::currentMSecsSinceEpoch());
}

} // namespace

SessionDetails::SessionDetails(QWidget *parent)
    : CardFrame(parent)
    , m_title(new QLabel(this))
    , m_hint(new QLabel(tr("Select a session to see its details."), this))
    , m_fields(new FieldGrid(QStringLiteral("sessionDetail_")))
{
    setObjectName(QStringLiteral("sessionDetails"));
    m_title->setObjectName(QStringLiteral("sessionDetailsTitle"));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_title, 1.05, QFont::DemiBold);
    m_hint->setWordWrap(true);
    ConsolePalette::makeMuted(m_hint);

    QGridLayout *grid = m_fields->grid();
    // Captions over values, four to a line; the long ones get a line of their own.
    m_fields->addField(QStringLiteral("state"), tr("State"), 0, 0);
    m_fields->addField(QStringLiteral("costAtTrip"), tr("Cost when stopped"), 0, 1);
    m_fields->addField(QStringLiteral("tenant"), tr("Tenant"), 0, 2);
    m_fields->addField(QStringLiteral("process"), tr("Process"), 0, 3);
    m_fields->addField(QStringLiteral("usage"), tr("Usage"), 2, 0, 2);
    m_fields->addField(QStringLiteral("models"), tr("Models"), 2, 2);
    m_fields->addField(QStringLiteral("seen"), tr("Seen"), 2, 3);
    m_fields->addField(QStringLiteral("reason"), tr("Reason"), 4, 0, 4);
    m_fields->addField(QStringLiteral("prompt"), tr("Last prompt"), 6, 0, 4);
    for (int column = 0; column < 4; ++column)
        grid->setColumnStretch(column, 1);
    grid->setRowStretch(8, 1); // spare height below the fields, not between them

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(padding());
    layout->setSpacing(8);
    layout->addWidget(m_title);
    layout->addWidget(m_hint);
    // Scrolls rather than clips when a long prompt meets a short strip.
    auto *scroll = new QScrollArea(this);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->viewport()->setAutoFillBackground(false);
    scroll->setWidget(m_fields);
    m_fields->setAutoFillBackground(false); // setWidget() turned it on; the card shows through

    layout->addWidget(scroll, 1);
    showSession(nullptr);
}

void SessionDetails::showSession(const SessionView *s)
{
    m_hint->setVisible(!s);
    m_fields->setVisible(s);
    if (!s) {
        m_title->setText(tr("Session details"));
        return;
    }
    m_title->setText(s->id);
    const QString since = s->stateSinceMs > 0 ? tr(" since %1").arg(time(s->stateSinceMs)) : QString();
    m_fields->setField(QStringLiteral("state"), SessionView::stateName(s->state) + since);
    m_fields->setField(QStringLiteral("reason"), s->reason);
    m_fields->setField(QStringLiteral("costAtTrip"), s->costAtTripMicros >= 0 ? ConsoleFormat::money(s->costAtTripMicros, m_currency) : QString());
    m_fields->setField(QStringLiteral("tenant"), s->tenant);
    m_fields->setField(QStringLiteral("process"), s->process.isEmpty() ? tr("not known") : s->process);
    m_fields->setField(QStringLiteral("models"), s->models.join(QStringLiteral(", ")));
    m_fields->setField(QStringLiteral("usage"), tr("%1 requests · %2 tokens in · %3 out · %4 (%5 in the last minute)")
                                          .arg(ConsoleFormat::count(s->requests), ConsoleFormat::tokens(s->promptTokens),
                                               ConsoleFormat::tokens(s->completionTokens), ConsoleFormat::money(s->costMicros, m_currency),
                                               ConsoleFormat::money(s->costMicrosPerMinute, m_currency)));
    m_fields->setField(QStringLiteral("seen"), tr("%1 to %2").arg(time(s->firstSeenMs), time(s->lastSeenMs)));
    m_fields->setField(QStringLiteral("prompt"), s->lastPrompt.isEmpty() ? tr("none") : s->lastPrompt);
}
