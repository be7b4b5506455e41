#pragma once

#include "widgets/CardFrame.h"

#include <QList>
#include <QString>

class QLabel;

// Lanes of states over time: one lane per thing that was stopped within the range (a session
// today, an upstream's breaker later), bars where it was in a state that matters. A generic lane
// model, so other kinds of lanes need no change here. Painted by hand: no Qt Charts.
class StateTimeline : public CardFrame
{
    Q_OBJECT
public:
    enum class State { Tripped, Killed, BreakerOpen };
    struct Span
    {
        qint64 fromMs = 0;
        qint64 toMs = -1; // -1: still in that state
        State state = State::Tripped;
    };
    struct Lane
    {
        QString label;
        QString kind; // "session", later "upstream"
        QList<Span> spans;
    };

    explicit StateTimeline(QWidget *parent = nullptr);

    // Redraws with these lanes over fromMs..toMs (toMs is "now": open spans end there).
    void setLanes(qint64 fromMs, qint64 toMs, const QList<Lane> &lanes);
    // Shown when there are no lanes.
    void setEmptyText(const QString &text);

    const QList<Lane> &lanes() const { return m_lanes; }
    static QColor colour(State state);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QRect plotArea() const;
    int labelWidth() const;

    QLabel *m_title = nullptr;
    QLabel *m_empty = nullptr;
    QList<Lane> m_lanes;
    qint64 m_from = 0;
    qint64 m_to = 0;
};
