#include "ConsoleApplication.h"

#include "EventLoopStallProbe.h"

#include <QElapsedTimer>
#include <QThread>

ConsoleApplication::ConsoleApplication(int &argc, char **argv) : QApplication(argc, argv)
{
}

bool ConsoleApplication::notify(QObject *receiver, QEvent *event)
{
    // Only the GUI thread's deliveries straight from its event loop: the events those send on the
    // way are part of them. (The gateway thread's events come through here too.)
    if (!m_probe || !receiver || QThread::currentThread() != thread() || m_depth > 0)
        return QApplication::notify(receiver, event);
    // What it was, taken before: the delivery may delete the receiver.
    const EventLoopStallProbe::Delivery delivery = EventLoopStallProbe::Delivery::of(receiver, event);
    QElapsedTimer wall;
    wall.start();
    const qint64 cpu0 = EventLoopStallProbe::threadCpuUs();
    ++m_depth;
    const bool handled = QApplication::notify(receiver, event);
    --m_depth;
    m_probe->recordDelivery(delivery, wall.nsecsElapsed() / 1000, EventLoopStallProbe::threadCpuUs() - cpu0);
    return handled;
}
