#pragma once

#include "upstream/UpstreamClient.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

// Realistic traffic for the console's screenshots: agents of three tenants on four models, some
// streaming, with a budget refusal, rate limiting and a loop that the detector trips. It sends
// through the gateway's own HTTP client on a timer, so the window keeps painting meanwhile.
class ScreenshotTraffic : public QObject
{
    Q_OBJECT
public:
    ScreenshotTraffic(quint16 gatewayPort, QObject *parent = nullptr);
    void start(int seconds);
    bool isDone() const { return m_done; }
    int sent() const { return m_sent; }

private:
    void tick();
    void send(const QByteArray &path, const QByteArray &body, const QByteArray &session, const QByteArray &tenant, bool slow);

    quint16 m_port;
    UpstreamClient m_client;
    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_seconds = 0;
    int m_tick = 0;
    int m_sent = 0;
    int m_open = 0;
    bool m_done = false;
};
