#pragma once

#include "widgets/CardFrame.h"

#include "session/SessionView.h"

class FieldGrid;
class QLabel;

// Everything known about the one session selected in the sessions table: the full last prompt,
// models, process, why it is stopped and what it had spent then. Shows a hint when none is. Laid
// out wide and low, for the strip under the table.
class SessionDetails : public CardFrame
{
    Q_OBJECT
public:
    explicit SessionDetails(QWidget *parent = nullptr);

    void setCurrency(const QString &currencyCode) { m_currency = currencyCode; }
    // Shows `session`, or the "nothing selected" hint for nullptr. Cheap when nothing changed.
    void showSession(const SessionView *session);

private:
    QString m_currency = QStringLiteral("USD");
    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    FieldGrid *m_fields = nullptr;
};
