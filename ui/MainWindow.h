#pragma once

#include "charts/RateHistory.h"
#include "core/GatewaySnapshot.h"

#include <QMainWindow>

class CounterTile;
class GatewayStateHeader;
class LiveRateChart;
class QLabel;
class StateBanner;
class UpstreamList;

// The console's window: shows what the gateway publishes (state, counters, rates, upstreams).
// It never calls into the gateway; the composition root connects the gateway's snapshot signal to
// applySnapshot() with a queued connection, so all it ever holds is a copy.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    // The currency costs are shown in (the snapshot carries micro-units only). Default "USD".
    void setCurrency(const QString &currencyCode);

public slots:
    // Cheap and non-blocking: a few label updates and one ring-buffer write. The chart redraws on
    // its own timer, not here.
    void applySnapshot(const GatewaySnapshot &snapshot);
    // A budget crossed its alert threshold (fraction < 1) or its cap: shown in a banner until the
    // next alert replaces it or the user closes it.
    void showBudgetAlert(const QString &rule, const QString &subject, double fraction, const QString &message);

private:
    QWidget *buildTiles();
    void updateTiles(const GatewaySnapshot &snapshot);
    void updateCost();

    // Read by the chart only from its own timer, which cannot fire while the window is destroyed.
    RateHistory m_rates;
    QString m_currency = QStringLiteral("USD");
    qint64 m_costMicros = 0;
    qint64 m_requestsTotal = 0;
    qint64 m_lastP50Ms = -1;
    qint64 m_lastP99Ms = -1;

    GatewayStateHeader *m_header = nullptr;
    StateBanner *m_simulatorBanner = nullptr;
    StateBanner *m_alertBanner = nullptr;
    CounterTile *m_requests = nullptr;
    CounterTile *m_inFlight = nullptr;
    CounterTile *m_tokens = nullptr;
    CounterTile *m_cost = nullptr;
    CounterTile *m_failures = nullptr;
    CounterTile *m_latency = nullptr;
    LiveRateChart *m_chart = nullptr;
    UpstreamList *m_upstreams = nullptr;
    QLabel *m_updated = nullptr;
};
