// The Overview page on a real gateway: the built-in simulator answering on a real socket, its
// snapshots delivered to the page by GatewayHost::snapshotReady as the console wires them. Real
// requests, some refused by a budget, show up in the tokens and the requests charts.
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "charts/StackedAreaChart.h"
#include "core/GatewayHost.h"
#include "core/GatewaySnapshot.h"
#include "overview/OverviewPage.h"
#include "widgets/CounterTile.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <numeric>

class tst_OverviewLive : public QObject
{
    Q_OBJECT
private slots:
    void realRequestsReachTheCharts();
};

namespace {

double layerSum(const StackedAreaChart *chart, const QString &name)
{
    for (const StackedAreaChart::Layer &layer : chart->layers()) {
        if (layer.name == name)
            return std::accumulate(layer.values.begin(), layer.values.end(), 0.0);
    }
    return 0.0;
}

} // namespace

void tst_OverviewLive::realRequestsReachTheCharts()
{
    QTemporaryDir dataDir;
    QString error;
    GatewayHost *host = GatewayUnderTest::create(QJsonObject{}, dataDir.path(), this, &error);
    QVERIFY2(host, qPrintable(error));
    OverviewPage page;
    page.setRange(OverviewPage::Range::FiveMinutes);
    connect(host, &GatewayHost::snapshotReady, &page, &OverviewPage::applySnapshot);
    const quint16 port = GatewayUnderTest::start(host);
    QVERIFY(port);

    GatewayClient client(port, dataDir.path());
    // A daily cap of three requests: the fourth and fifth are refused with 402.
    const QJsonArray rules{QJsonObject{{"name", "three-a-day"}, {"scope", "global"}, {"window", "day"},
                                       {"max_requests", 3}, {"over_cap", "refuse"}}};
    QCOMPARE(client.admin("PUT", "budgets", rules).status, 200);
    const QByteArray chat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello in five words"}]})";
    for (int i = 0; i < 3; ++i)
        QCOMPARE(client.call("/v1/chat/completions", chat).status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(client.call("/v1/chat/completions", chat).status, 402);

    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    auto *requests = page.findChild<StackedAreaChart *>(QStringLiteral("requestsChart"));
    QVERIFY(tokens && requests);
    // The charts end with the last whole second received: poll until the gateway's next
    // snapshots have closed the seconds the requests ended in.
    const auto drawn = [&] {
        page.redraw();
        return layerSum(tokens, QStringLiteral("gpt-4o-mini")) > 0.0 && layerSum(requests, QStringLiteral("ok")) >= 3.0
               && layerSum(requests, QStringLiteral("402 budget")) >= 2.0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(drawn(), 10000);
    QCOMPARE(tokens->seriesName(0), QStringLiteral("gpt-4o-mini"));
    QCOMPARE(layerSum(requests, QStringLiteral("ok")), 3.0);       // per-second rates over 1 s points: counts
    QCOMPARE(layerSum(requests, QStringLiteral("402 budget")), 2.0);
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("requestsTile"))->value(), QStringLiteral("5"));

    host->stop();
}

QTEST_MAIN(tst_OverviewLive)
#include "tst_OverviewLive.moc"
