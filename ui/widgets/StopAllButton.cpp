#include "StopAllButton.h"

#include "ConsolePalette.h"

#include <QMessageBox>

StopAllButton::StopAllButton(QWidget *parent) : QPushButton(parent)
{
    // Red, so it is found in a hurry, on light and dark alike.
    QPalette red = palette();
    red.setColor(QPalette::Button, ConsolePalette::failure().darker(125));
    red.setColor(QPalette::ButtonText, Qt::white);
    setPalette(red);
    ConsolePalette::scaleFont(this, 1.0, QFont::DemiBold);
    setStoppedAll(false);
    connect(this, &QPushButton::clicked, this, &StopAllButton::clickedOnce);
}

void StopAllButton::setStoppedAll(bool stoppedAll)
{
    m_stoppedAll = stoppedAll;
    setText(stoppedAll ? tr("Resume all") : tr("Stop all"));
    setToolTip(stoppedAll ? tr("Let every session send requests again (sessions killed one by one stay killed)")
                          : tr("Refuse every new request and end every one in flight, for all sessions"));
}

void StopAllButton::clickedOnce()
{
    if (m_stoppedAll)
        return Q_EMIT commandRequested(SessionCommand::resumeAll());
    if (m_confirm
        && QMessageBox::question(this, tr("Stop all sessions?"),
                                 tr("Every request in flight ends now and every new request is refused, for every session and "
                                    "tenant, until you press Resume all."),
                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    Q_EMIT commandRequested(SessionCommand::stopAll());
}
