#include "RunningGateway.h"

#include "GatewayUnderTest.h"
#include "core/GatewayHost.h"

RunningGateway::~RunningGateway()
{
    stop();
}

bool RunningGateway::start(const QJsonObject &config)
{
    return create(config) && start();
}

bool RunningGateway::create(const QJsonObject &config)
{
    stop();
    m_host.reset(GatewayUnderTest::create(config, m_dataDir.path(), nullptr, &m_error));
    return bool(m_host);
}

bool RunningGateway::createFromFile(const QString &path)
{
    stop();
    m_host.reset(GatewayUnderTest::createFromFile(path, m_dataDir.path(), nullptr, &m_error));
    return bool(m_host);
}

bool RunningGateway::start()
{
    if (!m_host && !create())
        return false;
    m_port = GatewayUnderTest::start(m_host.get());
    if (m_port == 0) {
        m_error = QStringLiteral("the gateway did not start");
        return false;
    }
    m_client = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
    return true;
}

void RunningGateway::stop()
{
    m_client.reset();
    if (m_host)
        m_host->stop();
    m_host.reset();
}
