#include "SessionDetails.h"

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
    , m_fields(new QWidget)
{
    setObjectName(QStringLiteral("sessionDetails"));
    m_title->setObjectName(QStringLiteral("sessionDetailsTitle"));
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ConsolePalette::scaleFont(m_title, 1.05, QFont::DemiBold);
    m_hint->setWordWrap(true);
    ConsolePalette::makeMuted(m_hint);

    auto *grid = new QGridLayout(m_fields);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(1);
    // Captions over values, four to a line; the long ones get a line of their own.
    addField(QStringLiteral("state"), tr("State"), 0, 0);
    addField(QStringLiteral("costAtTrip"), tr("Cost when stopped"), 0, 1);
    addField(QStringLiteral("tenant"), tr("Tenant"), 0, 2);
    addField(QStringLiteral("process"), tr("Process"), 0, 3);
    addField(QStringLiteral("usage"), tr("Usage"), 2, 0, 2);
    addField(QStringLiteral("models"), tr("Models"), 2, 2);
    addField(QStringLiteral("seen"), tr("Seen"), 2, 3);
    addField(QStringLiteral("reason"), tr("Reason"), 4, 0, 4);
    addField(QStringLiteral("prompt"), tr("Last prompt"), 6, 0, 4);
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

void SessionDetails::addField(const QString &key, const QString &caption, int row, int column, int span)
{
    auto *grid = static_cast<QGridLayout *>(m_fields->layout());
    auto *label = new QLabel(caption, m_fields);
    ConsolePalette::makeMuted(label);
    ConsolePalette::scaleFont(label, 0.9, QFont::Normal);
    label->setContentsMargins(0, row > 0 ? 6 : 0, 0, 0); // a little air between the lines of fields
    auto *value = new QLabel(m_fields);
    value->setObjectName(QStringLiteral("sessionDetail_") + key);
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setTextFormat(Qt::PlainText);
    value->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Long prompts and model lists wrap instead of widening the panel.
    value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    grid->addWidget(label, row, column, 1, span);
    grid->addWidget(value, row + 1, column, 1, span, Qt::AlignTop);
    m_values.insert(key, value);
    m_captions.insert(key, label);
}

void SessionDetails::setField(const QString &key, const QString &text)
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
    setField(QStringLiteral("state"), SessionView::stateName(s->state) + since);
    setField(QStringLiteral("reason"), s->reason);
    setField(QStringLiteral("costAtTrip"), s->costAtTripMicros >= 0 ? ConsoleFormat::money(s->costAtTripMicros, m_currency) : QString());
    setField(QStringLiteral("tenant"), s->tenant);
    setField(QStringLiteral("process"), s->process.isEmpty() ? tr("not known") : s->process);
    setField(QStringLiteral("models"), s->models.join(QStringLiteral(", ")));
    setField(QStringLiteral("usage"), tr("%1 requests · %2 tokens in · %3 out · %4 (%5 in the last minute)")
                                          .arg(ConsoleFormat::count(s->requests), ConsoleFormat::tokens(s->promptTokens),
                                               ConsoleFormat::tokens(s->completionTokens), ConsoleFormat::money(s->costMicros, m_currency),
                                               ConsoleFormat::money(s->costMicrosPerMinute, m_currency)));
    setField(QStringLiteral("seen"), tr("%1 to %2").arg(time(s->firstSeenMs), time(s->lastSeenMs)));
    setField(QStringLiteral("prompt"), s->lastPrompt.isEmpty() ? tr("none") : s->lastPrompt);
}
