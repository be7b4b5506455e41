// The Overview page fed with snapshots as the gateway sends them: what each chart plots, how the
// model / tenant switch and the range change it, the timeline's lanes and the headline.
#include "ConsolePalette.h"
#include "OverviewSamples.h"
#include "charts/LineChart.h"
#include "charts/StackedAreaChart.h"
#include "charts/StateTimeline.h"
#include "overview/OverviewPage.h"
#include "widgets/CounterTile.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>
#include <QStyleFactory>

#include <cmath>
#include <numeric>
#include <QToolButton>
#include <QDateTime>
#include <QtTest>

using namespace OverviewSamples;

class tst_OverviewPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void chartsReceiveTheSnapshots();
    void switchingToTenantsRestacksTokensAndCost();
    void rangeChangesThePoints_data();
    void rangeChangesThePoints();
    void keepsTheTopModelsAndFoldsTheRestIntoOther();
    void latencyHoldsThroughIdleSeconds();
    void timelineHasALanePerStoppedSession();
    void headlineShowsSpendAgainstTheCap();
    void savesScreenshots();
    void staysBoundedUnderAnHourOfLoad();

private:
    static Traffic busy();
    static double lastValue(const StackedAreaChart *chart, int layer);
};

void tst_OverviewPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
}

Traffic tst_OverviewPage::busy()
{
    Traffic t;
    // Per snapshot (a quarter second).
    t.models = {slice("gpt-4o", 40, 300), slice("claude-sonnet-4", 20, 100)};
    t.tenants = {slice("team-a", 45, 250), slice("team-b", 15, 150)};
    t.outcomes.ok = 2;
    t.outcomes.budgetRefused = 1;
    t.p50 = 100;
    t.p95 = 200;
    t.p99 = 400;
    t.ttft50 = 50;
    t.ttft95 = 80;
    return t;
}

double tst_OverviewPage::lastValue(const StackedAreaChart *chart, int layer)
{
    return chart->layers().at(layer).values.last();
}

void tst_OverviewPage::chartsReceiveTheSnapshots()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::FiveMinutes);
    feed(0, 20, busy(), [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    page.redraw();

    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    auto *cost = page.findChild<StackedAreaChart *>(QStringLiteral("costChart"));
    auto *requests = page.findChild<StackedAreaChart *>(QStringLiteral("requestsChart"));
    auto *latency = page.findChild<LineChart *>(QStringLiteral("latencyChart"));
    QVERIFY(tokens && cost && requests && latency);

    // Tokens per second, by model, the bigger spender at the bottom; four snapshots a second.
    QCOMPARE(tokens->seriesCount(), 2);
    QCOMPARE(tokens->seriesName(0), QStringLiteral("gpt-4o"));
    QCOMPARE(tokens->seriesName(1), QStringLiteral("claude-sonnet-4"));
    QCOMPARE(tokens->seriesPoints(0).size(), 300);
    QCOMPARE(lastValue(tokens, 0), 160.0);
    QCOMPARE(lastValue(tokens, 1), 80.0);
    // The plotted lines are stacked: the second band's top is the sum.
    QCOMPARE(tokens->seriesPoints(1).last().y(), 240.0);
    QVERIFY(tokens->valueAxisTop() >= 240.0);
    QVERIFY(tokens->valueTickLabels().last().endsWith(QStringLiteral("tok/s")));
    // Seconds before the first snapshot are zero.
    QCOMPARE(tokens->layers().at(0).values.first(), 0.0);

    // Cost per minute in micro-units: 300 a snapshot, 4 a second, 60 seconds.
    QCOMPARE(lastValue(cost, 0), 72000.0);
    QVERIFY(cost->valueTickLabels().last().endsWith(QStringLiteral("/min")));

    // Requests by outcome, each kind its own layer and colour.
    QCOMPARE(requests->seriesCount(), 6);
    const QStringList kinds{"ok", "402 budget", "429 rate limited", "403 blocked", "5xx upstream", "other errors"};
    for (int i = 0; i < kinds.size(); ++i)
        QCOMPARE(requests->seriesName(i), kinds.at(i));
    QCOMPARE(requests->legendText(), QStringLiteral("ok · 402 budget · 429 rate limited · 403 blocked · 5xx upstream · other errors"));
    QCOMPARE(tokens->legendText(), QStringLiteral("gpt-4o · claude-sonnet-4"));
    QCOMPARE(lastValue(requests, 0), 8.0);
    QCOMPARE(lastValue(requests, 1), 4.0);
    QCOMPARE(lastValue(requests, 2), 0.0);
    QVERIFY(requests->layers().at(0).colour != requests->layers().at(1).colour);

    // Latency lines.
    QCOMPARE(latency->seriesCount(), 5);
    QCOMPARE(latency->seriesName(0), QStringLiteral("p50"));
    QCOMPARE(latency->seriesPoints(0).last().y(), 100.0);
    QCOMPARE(latency->seriesPoints(2).last().y(), 400.0);
    QCOMPARE(latency->seriesPoints(3).last().y(), 50.0);
    // The line starts with the first second that had requests, not at zero before it.
    QCOMPARE(latency->seriesPoints(0).size(), 19);
}

void tst_OverviewPage::switchingToTenantsRestacksTokensAndCost()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::FiveMinutes);
    feed(0, 10, busy(), [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    page.redraw();
    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    auto *cost = page.findChild<StackedAreaChart *>(QStringLiteral("costChart"));
    QCOMPARE(tokens->seriesName(0), QStringLiteral("gpt-4o"));

    auto *byTenant = page.findChild<QToolButton *>(QStringLiteral("byTenantButton"));
    QVERIFY(byTenant);
    QTest::mouseClick(byTenant, Qt::LeftButton);
    QCOMPARE(page.split(), OverviewSeries::Split::ByTenant);
    QCOMPARE(tokens->seriesCount(), 2);
    QCOMPARE(tokens->seriesName(0), QStringLiteral("team-a"));
    QCOMPARE(tokens->seriesName(1), QStringLiteral("team-b"));
    QCOMPARE(lastValue(tokens, 0), 180.0);
    QCOMPARE(cost->seriesName(0), QStringLiteral("team-a"));
    QCOMPARE(lastValue(cost, 1), 150.0 * 4 * 60);

    // Back by keyboard: Alt+M, the button's mnemonic.
    page.show();
    page.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&page));
    QTest::keyClick(&page, Qt::Key_M, Qt::AltModifier);
    QTRY_COMPARE(page.split(), OverviewSeries::Split::ByModel); // a mnemonic clicks the button a moment later
    QCOMPARE(tokens->seriesName(0), QStringLiteral("gpt-4o"));
}

void tst_OverviewPage::rangeChangesThePoints_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("secondsPerPoint");
    QTest::addColumn<int>("timeLabels");
    // The data ends a second after a round minute: that minute is too close to the end of the
    // axis for its label (centred on it, the label would be cut), so it goes unlabelled.
    QTest::newRow("5 min") << QStringLiteral("range5Button") << 1 << 4;
    QTest::newRow("15 min") << QStringLiteral("range15Button") << 3 << 3;
    QTest::newRow("60 min") << QStringLiteral("range60Button") << 12 << 5;
}

void tst_OverviewPage::rangeChangesThePoints()
{
    QFETCH(QString, button);
    QFETCH(int, secondsPerPoint);
    OverviewPage page;
    // Twenty minutes ago a minute of traffic, then a quiet gateway, then traffic in the last minute.
    Traffic quiet;
    feed(0, 60, busy(), [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    feed(60, 19 * 60, quiet, [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    feed(20 * 60, 61, busy(), [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    QTest::mouseClick(page.findChild<QToolButton *>(button), Qt::LeftButton);

    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    auto *requests = page.findChild<StackedAreaChart *>(QStringLiteral("requestsChart"));
    for (TimeChart *chart : {static_cast<TimeChart *>(tokens), static_cast<TimeChart *>(requests)}) {
        const QList<QPointF> points = chart->seriesPoints(0);
        QCOMPARE(points.size(), 300);
        QCOMPARE(points.at(1).x() - points.at(0).x(), double(secondsPerPoint));
        QTEST(int(chart->timeTickLabels().size()), "timeLabels");
        QVERIFY(!chart->timeTickLabels().contains(QDateTime::fromSecsSinceEpoch(S0 + 21 * 60).toString(QStringLiteral("HH:mm"))));
    }
    // The last point is all traffic whatever its width; only the hour reaches the first minute.
    QCOMPARE(lastValue(tokens, 0), 160.0);
    const double sum = std::accumulate(tokens->layers().at(0).values.begin(), tokens->layers().at(0).values.end(), 0.0);
    const double busySeconds = sum * secondsPerPoint / 160.0;
    QCOMPARE(qRound(busySeconds), secondsPerPoint == 12 ? 120 : 60);
}

void tst_OverviewPage::keepsTheTopModelsAndFoldsTheRestIntoOther()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::FiveMinutes);
    Traffic t;
    // Nine models, m1 the biggest spender; the gateway's own "other" too.
    for (int i = 1; i <= 9; ++i)
        t.models.append(slice(QStringLiteral("m%1").arg(i), 10, 1000 - i * 100));
    t.models.append(slice(QStringLiteral("other"), 10, 5));
    feed(0, 5, t, [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    page.redraw();
    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    QCOMPARE(tokens->seriesCount(), OverviewSeries::TopKeys + 1);
    for (int i = 0; i < OverviewSeries::TopKeys; ++i)
        QCOMPARE(tokens->seriesName(i), QStringLiteral("m%1").arg(i + 1));
    QCOMPARE(tokens->seriesName(OverviewSeries::TopKeys), QStringLiteral("other"));
    // m7, m8, m9 and the gateway's "other": 4 x 10 tokens a snapshot.
    QCOMPARE(lastValue(tokens, OverviewSeries::TopKeys), 160.0);
    // A key's colour stays when the ranking changes.
    const QColor m1 = tokens->layers().at(0).colour;
    Traffic later;
    later.models = {slice("m2", 10, 5000), slice("m1", 10, 1)};
    feed(5, 300, later, [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    page.redraw();
    QCOMPARE(tokens->seriesName(1), QStringLiteral("m1"));
    QCOMPARE(tokens->layers().at(1).colour, m1);
}

void tst_OverviewPage::latencyHoldsThroughIdleSeconds()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::FiveMinutes);
    feed(0, 5, busy(), [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    Traffic idle;
    feed(5, 10, idle, [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    Traffic slow = busy();
    slow.p50 = 900;
    slow.p95 = slow.p99 = 1200;
    // One slow snapshot among four: the second's p50 is the request-weighted mean.
    feed(15, 1, busy(), [&](const GatewaySnapshot &s) {
        page.applySnapshot(s.takenAtMs % 1000 == 0 ? snapshotAt(s.takenAtMs, slow) : s);
    });
    feed(16, 1, idle, [&](const GatewaySnapshot &s) { page.applySnapshot(s); });
    page.redraw();
    auto *latency = page.findChild<LineChart *>(QStringLiteral("latencyChart"));
    const QList<QPointF> p50 = latency->seriesPoints(0);
    QCOMPARE(p50.size(), 16);               // seconds 0..15, nothing before the first request
    QCOMPARE(p50.at(10).y(), 100.0);        // idle second 10 holds the last value
    QCOMPARE(p50.last().y(), (900.0 + 3 * 100.0) / 4.0);
    QVERIFY(latency->valueTickLabels().last().endsWith(QStringLiteral(" ms")));
}

void tst_OverviewPage::timelineHasALanePerStoppedSession()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::FifteenMinutes);
    auto *timeline = page.findChild<StateTimeline *>(QStringLiteral("stateTimeline"));
    auto *empty = page.findChild<QLabel *>(QStringLiteral("stateTimelineEmpty"));
    QVERIFY(timeline && empty);

    SessionView active;
    active.id = QStringLiteral("agent-fine");
    SessionView tripped;
    tripped.id = QStringLiteral("agent-looping");
    tripped.state = SessionView::State::Tripped;
    tripped.stateSinceMs = (S0 + 30) * 1000;
    SessionView killed;
    killed.id = QStringLiteral("agent-killed");
    killed.state = SessionView::State::Killed;
    killed.stateSinceMs = (S0 + 40) * 1000;

    Traffic quiet;
    feed(0, 20, quiet, [&](GatewaySnapshot s) {
        s.sessions = {active};
        page.applySnapshot(s);
    });
    page.redraw();
    QVERIFY(timeline->lanes().isEmpty());
    QVERIFY(!empty->isHidden());
    QVERIFY(empty->text().contains(QStringLiteral("15 minutes")));

    feed(20, 40, quiet, [&](GatewaySnapshot s) {
        s.sessions = {active};
        if (s.takenAtMs >= tripped.stateSinceMs)
            s.sessions.prepend(tripped);
        if (s.takenAtMs >= killed.stateSinceMs)
            s.sessions.prepend(killed);
        page.applySnapshot(s);
    });
    // The tripped session is resumed at 70 s.
    tripped.state = SessionView::State::Active;
    tripped.stateSinceMs = (S0 + 70) * 1000;
    feed(60, 20, quiet, [&](GatewaySnapshot s) {
        s.sessions = {killed, tripped, active};
        page.applySnapshot(s);
    });
    page.redraw();

    const QList<StateTimeline::Lane> lanes = timeline->lanes();
    QCOMPARE(lanes.size(), 2);
    QVERIFY(empty->isHidden());
    QCOMPARE(lanes.at(0).label, QStringLiteral("agent-killed")); // the latest stop first
    QCOMPARE(lanes.at(0).kind, QStringLiteral("session"));
    QCOMPARE(lanes.at(0).spans.size(), 1);
    QCOMPARE(lanes.at(0).spans.at(0).state, StateTimeline::State::Killed);
    QCOMPARE(lanes.at(0).spans.at(0).fromMs, (S0 + 40) * 1000);
    QCOMPARE(lanes.at(0).spans.at(0).toMs, -1); // still killed
    QCOMPARE(lanes.at(1).label, QStringLiteral("agent-looping"));
    QCOMPARE(lanes.at(1).spans.at(0).state, StateTimeline::State::Tripped);
    QCOMPARE(lanes.at(1).spans.at(0).fromMs, (S0 + 30) * 1000);
    QCOMPARE(lanes.at(1).spans.at(0).toMs, (S0 + 70) * 1000);
    QCOMPARE(StateTimeline::colour(StateTimeline::State::Tripped), ConsolePalette::failure());
    QCOMPARE(StateTimeline::colour(StateTimeline::State::Killed), ConsolePalette::stopped());
}

void tst_OverviewPage::headlineShowsSpendAgainstTheCap()
{
    OverviewPage page;
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto *spend = page.findChild<CounterTile *>(QStringLiteral("spendTodayTile"));
    auto *bar = page.findChild<QProgressBar *>(QStringLiteral("spendTodayBar"));
    QVERIFY(spend && bar);

    GatewaySnapshot s;
    s.takenAtMs = S0 * 1000;
    s.spentTodayMicros = 2'500'000;
    s.dayCapMicros = 10'000'000;
    s.dayCapRule = QStringLiteral("daily-10");
    s.requestsTotal = 1234;
    s.requestsFailed = 12;
    s.sessionsActive = 3;
    s.sessionsTripped = 1;
    s.sessionsKilled = 2;
    s.inFlight = 4;
    page.applySnapshot(s);
    QCOMPARE(spend->value(), QStringLiteral("$2.50"));
    QCOMPARE(spend->detail(), QStringLiteral("of $10.00 · 25 %"));
    QVERIFY(spend->toolTip().contains(QStringLiteral("daily-10")));
    QVERIFY(bar->isVisible());
    QCOMPARE(bar->value(), 250);
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("requestsTile"))->value(), QStringLiteral("1,234"));
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("failuresTile"))->detail(), QStringLiteral("1 % of requests"));
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("inFlightTile"))->value(), QStringLiteral("4"));
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("sessionsTile"))->value(), QStringLiteral("3"));
    QCOMPARE(page.findChild<CounterTile *>(QStringLiteral("sessionsTile"))->detail(), QStringLiteral("1 tripped · 2 killed"));

    page.setCurrency(QStringLiteral("EUR"));
    QCOMPARE(spend->value(), QStringLiteral("€2.50"));

    s.dayCapMicros = -1;
    s.dayCapRule.clear();
    page.applySnapshot(s);
    QCOMPARE(spend->detail(), QStringLiteral("no daily cap"));
    QVERIFY(!bar->isVisible());
}

void tst_OverviewPage::savesScreenshots()
{
    for (const bool dark : {false, true}) {
        QPalette palette = QApplication::style()->standardPalette();
        if (dark) {
            palette.setColor(QPalette::Window, QColor(0x1e, 0x1f, 0x22));
            palette.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
            palette.setColor(QPalette::Base, QColor(0x2b, 0x2d, 0x31));
            palette.setColor(QPalette::AlternateBase, QColor(0x33, 0x35, 0x3a));
            palette.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
            palette.setColor(QPalette::Button, QColor(0x2b, 0x2d, 0x31));
            palette.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
        }
        QApplication::setPalette(palette);
        OverviewPage page;
        page.resize(880, 720); // the window at 1100x720 less its page list
        page.setRange(OverviewPage::Range::FifteenMinutes);
        // Fifteen minutes of a busy afternoon: four models, three tenants, some refusals.
        for (int second = 0; second < 900; ++second) {
            Traffic t;
            const double wave = 1.0 + 0.5 * std::sin(second / 60.0);
            const int burst = (second / 90) % 3;
            t.models = {slice("gpt-4o", qint64(120 * wave), qint64(1800 * wave)),
                        slice("claude-sonnet-4", qint64(90 * wave) + burst * 30, 1500 + burst * 400),
                        slice("gpt-4o-mini", 160, 120), slice("claude-haiku-4", qint64(40 * wave), 90)};
            t.tenants = {slice("research", qint64(200 * wave), 2200), slice("support-bot", 150, 900), slice("ci", 60 + burst * 30, 400)};
            t.outcomes.ok = 3 + burst;
            t.outcomes.budgetRefused = second % 40 < 3 ? 1 : 0;
            t.outcomes.rateLimited = second > 600 && second % 7 == 0 ? 2 : 0;
            t.outcomes.blocked = second > 700 && second < 760 ? 1 : 0;
            t.outcomes.upstreamErrors = second % 97 == 0 ? 1 : 0;
            t.p50 = qint64(700 * wave);
            t.p95 = qint64(1600 * wave);
            t.p99 = qint64(2400 * wave) + burst * 300;
            t.ttft50 = qint64(280 * wave);
            t.ttft95 = qint64(520 * wave);
            for (int q = 0; q < 4; ++q) {
                GatewaySnapshot s = snapshotAt((S0 + second) * 1000 + q * 250, t);
                SessionView looping;
                looping.id = QStringLiteral("agent-7f3a-refactor");
                looping.state = second >= 640 ? SessionView::State::Tripped : SessionView::State::Active;
                looping.stateSinceMs = (S0 + (second >= 640 ? 640 : 0)) * 1000;
                SessionView killed;
                killed.id = QStringLiteral("ci-nightly-42");
                killed.state = second >= 300 && second < 420 ? SessionView::State::Killed : SessionView::State::Active;
                killed.stateSinceMs = (S0 + (second >= 420 ? 420 : 300)) * 1000;
                s.sessions = {looping, killed};
                s.requestsTotal = second * 5;
                s.requestsFailed = second / 8;
                s.promptTokens = second * 900;
                s.completionTokens = second * 300;
                s.inFlight = 3 + burst;
                s.openConnections = 5;
                s.spentTodayMicros = 4'200'000 + second * 3000;
                s.dayCapMicros = 10'000'000;
                s.dayCapRule = QStringLiteral("daily");
                s.sessionsActive = 5;
                s.sessionsTripped = second >= 640 ? 1 : 0;
                page.applySnapshot(s);
            }
        }
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.redraw();
        // Let the layouts take in the legends' and the timeline's new sizes before the grab.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QString path = QDir::temp().filePath(dark ? QStringLiteral("tokenfuse-overview-dark.png")
                                                        : QStringLiteral("tokenfuse-overview-light.png"));
        QVERIFY(page.grab().save(path));
        auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
        QCOMPARE(tokens->seriesCount(), 4);
        QCOMPARE(page.findChild<StateTimeline *>()->lanes().size(), 2);
    }
    QApplication::setPalette(QApplication::style()->standardPalette());
}

void tst_OverviewPage::staysBoundedUnderAnHourOfLoad()
{
    OverviewPage page;
    page.setRange(OverviewPage::Range::SixtyMinutes);
    // An hour of a busy gateway: ten models and tenants a snapshot, 200 sessions in the list.
    Traffic t = busy();
    t.models.clear();
    t.tenants.clear();
    for (int i = 0; i < 10; ++i) {
        t.models.append(slice(QStringLiteral("model-%1").arg(i), 100 + i, 1000 + i));
        t.tenants.append(slice(QStringLiteral("tenant-%1").arg(i), 100 + i, 1000 + i));
    }
    QList<SessionView> sessions(200);
    for (int i = 0; i < sessions.size(); ++i) {
        sessions[i].id = QStringLiteral("session-%1").arg(i);
        if (i % 50 == 0) {
            sessions[i].state = SessionView::State::Tripped;
            sessions[i].stateSinceMs = (S0 + i) * 1000;
        }
    }
    QElapsedTimer timer;
    timer.start();
    int snapshots = 0;
    feed(0, 3600, t, [&](GatewaySnapshot s) {
        s.sessions = sessions;
        page.applySnapshot(s);
        ++snapshots;
    });
    const double perSnapshotUs = double(timer.nsecsElapsed()) / 1000.0 / snapshots;
    timer.restart();
    page.redraw();
    const double redrawMs = double(timer.nsecsElapsed()) / 1e6;
    qInfo("applySnapshot: %.1f us a snapshot; redraw of the 60-minute range: %.1f ms", perSnapshotUs, redrawMs);
    auto *tokens = page.findChild<StackedAreaChart *>(QStringLiteral("tokensChart"));
    QCOMPARE(tokens->seriesCount(), OverviewSeries::TopKeys + 1);
    QCOMPARE(tokens->seriesPoints(0).size(), OverviewSeries::MaxPoints);
    QCOMPARE(page.findChild<StateTimeline *>()->lanes().size(), 4);
    // The times are printed, not asserted: the speed targets live in bench/console (docs/benchmarks.md).
}

QTEST_MAIN(tst_OverviewPage)
#include "tst_OverviewPage.moc"
