#include "GatewayHost.h"

#include "Gateway.h"

#include <QJsonObject>

GatewayHost::GatewayHost(const GatewayConfig &config, QObject *parent) : QObject(parent), m_config(config)
{
    qRegisterMetaType<GatewaySnapshot>();
    qRegisterMetaType<SessionCommand>();
    qRegisterMetaType<SessionCommandResult>();
    qRegisterMetaType<AdminCall>();
    qRegisterMetaType<AdminAnswer>();
    qRegisterMetaType<UpstreamTransitionView>();
    m_thread.setObjectName(QStringLiteral("tokenfuse-gateway"));
}

GatewayHost::~GatewayHost()
{
    stop();
}

void GatewayHost::start()
{
    if (m_thread.isRunning())
        return;
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_context, [this] {
        m_gateway = new Gateway(m_config);
        connect(m_gateway, &Gateway::snapshotReady, this, &GatewayHost::snapshotReady);
        connect(m_gateway, &Gateway::logLine, this, &GatewayHost::logLine);
        connect(m_gateway, &Gateway::budgetAlert, this, &GatewayHost::budgetAlert);
        connect(m_gateway, &Gateway::sessionTripped, this, &GatewayHost::sessionTripped);
        connect(m_gateway, &Gateway::upstreamBreakerChanged, this, &GatewayHost::upstreamBreakerChanged);
        connect(m_gateway, &Gateway::configReloaded, this, &GatewayHost::configReloaded);
        QString error;
        if (m_gateway->start(&error)) {
            const QString address = m_gateway->listenAddress();
            const QString db = m_gateway->databasePath();
            const quint16 sim = m_gateway->simulatorPort();
            QMetaObject::invokeMethod(this, [this, address, db, sim] { Q_EMIT started(address, db, sim); }, Qt::QueuedConnection);
        } else {
            delete m_gateway;
            m_gateway = nullptr;
            QMetaObject::invokeMethod(this, [this, error] { Q_EMIT failed(error); }, Qt::QueuedConnection);
        }
    }, Qt::QueuedConnection);
}

void GatewayHost::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(m_context, [this] {
        delete m_gateway;
        m_gateway = nullptr;
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_context;
    m_context = nullptr;
}

void GatewayHost::command(const SessionCommand &command)
{
    if (!m_thread.isRunning())
        return Q_EMIT commandDone(command, {false, 0, QStringLiteral("The gateway is not running.")});
    QMetaObject::invokeMethod(m_context, [this, command] {
        const SessionCommandResult result = m_gateway ? m_gateway->execute(command, QStringLiteral("console"))
                                                      : SessionCommandResult{false, 0, QStringLiteral("The gateway is not running.")};
        QMetaObject::invokeMethod(this, [this, command, result] { Q_EMIT commandDone(command, result); }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void GatewayHost::adminCall(quint64 ticket, const AdminCall &call)
{
    const auto answer = [this, ticket](const AdminAnswer &a) {
        QMetaObject::invokeMethod(this, [this, ticket, a] { Q_EMIT adminAnswered(ticket, a); }, Qt::QueuedConnection);
    };
    const AdminAnswer notRunning{503, QJsonObject{{"error", QJsonObject{{"type", "api_error"}, {"message", "The gateway is not running."}}}}};
    if (!m_thread.isRunning())
        return answer(notRunning);
    QMetaObject::invokeMethod(m_context, [this, call, answer, notRunning] {
        if (!m_gateway)
            return answer(notRunning);
        m_gateway->admin(call, QStringLiteral("console"), answer);
    }, Qt::QueuedConnection);
}
