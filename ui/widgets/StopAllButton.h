#pragma once

#include "session/SessionCommand.h"

#include <QPushButton>

// The emergency brake: a red "Stop all" that turns into "Resume all" while stop-all is on. It asks
// before stopping (unless told not to: tests, and a user who turned the question off) and emits the
// command; whether stop-all is on is what the latest snapshot says (setStoppedAll), not what was
// last clicked, so two consoles or the admin API never leave it showing the wrong word.
class StopAllButton : public QPushButton
{
    Q_OBJECT
public:
    explicit StopAllButton(QWidget *parent = nullptr);

    void setStoppedAll(bool stoppedAll);
    bool stoppedAll() const { return m_stoppedAll; }
    void setConfirm(bool confirm) { m_confirm = confirm; }

Q_SIGNALS:
    void commandRequested(const SessionCommand &command);

private:
    void clickedOnce();

    bool m_stoppedAll = false;
    bool m_confirm = true;
};
