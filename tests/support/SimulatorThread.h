#pragma once

#include "simulator/SimulatorServer.h"

#include <QThread>

#include <functional>

// The built-in simulator on a thread of its own, as a test's upstream: created and destroyed on
// that thread, its counters read there too.
class SimulatorThread
{
public:
    SimulatorThread();
    ~SimulatorThread();

    quint16 port() const { return m_port; }
    // Runs `read` on the simulator's thread and returns what it returns.
    template <typename T>
    T read(T (SimulatorServer::*getter)() const)
    {
        T value{};
        run([&](SimulatorServer *s) { value = (s->*getter)(); });
        return value;
    }
    void run(const std::function<void(SimulatorServer *)> &work);

private:
    QThread m_thread;
    SimulatorServer *m_server = nullptr;
    quint16 m_port = 0;
};
