#pragma once

#include <QApplication>

class EventLoopStallProbe;

// The console's QApplication. With a stall probe attached (bench/console), it times every event
// the GUI thread delivers from its event loop and tells the probe, so a stall in the report names
// what held the thread: a chart's redraw, a paint, a snapshot.
class ConsoleApplication : public QApplication
{
    Q_OBJECT
public:
    ConsoleApplication(int &argc, char **argv);

    void setStallProbe(EventLoopStallProbe *probe) { m_probe = probe; }
    bool notify(QObject *receiver, QEvent *event) override;

private:
    EventLoopStallProbe *m_probe = nullptr;
    int m_depth = 0;
};
