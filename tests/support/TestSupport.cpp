#include "TestSupport.h"

#include <QTcpServer>

quint16 TestSupport::freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}
