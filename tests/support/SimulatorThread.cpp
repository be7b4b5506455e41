#include "SimulatorThread.h"

SimulatorThread::SimulatorThread()
{
    QObject context;
    context.moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(&context, [this, &context] {
        m_server = new SimulatorServer;
        m_server->listen(QHostAddress::LocalHost, 0);
        m_port = m_server->port();
        context.moveToThread(nullptr); // from its own thread, so it can die on this one
    }, Qt::BlockingQueuedConnection);
}

SimulatorThread::~SimulatorThread()
{
    QMetaObject::invokeMethod(m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void SimulatorThread::run(const std::function<void(SimulatorServer *)> &work)
{
    QMetaObject::invokeMethod(m_server, [&] { work(m_server); }, Qt::BlockingQueuedConnection);
}
