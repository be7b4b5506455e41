// GatewayMetrics: every row feeds the counters and histograms it should (refusals, stream cuts,
// tokens by direction, cost), labels stay bounded and never name a session, gauges render as
// handed in, and promtool accepts the whole exposition. BudgetGauge: what is left per counter.
#include "MetricsText.h"
#include "Promtool.h"
#include "accounting/UsageRecord.h"
#include "budget/BudgetUsage.h"
#include "metrics/BudgetGauge.h"
#include "metrics/GatewayMetrics.h"

#include <QtTest>

namespace {
UsageRecord row(const QString &tenant, const QString &model, int status, const QString &error = {})
{
    UsageRecord r;
    r.tenant = tenant;
    r.session = QStringLiteral("session-") + tenant;
    r.model = model;
    r.upstream = QStringLiteral("up");
    r.endpoint = QStringLiteral("/v1/chat/completions");
    r.status = status;
    r.error = error;
    r.latencyMs = 1500;
    r.ttftMs = 200;
    return r;
}

MetricsGauges someGauges()
{
    MetricsGauges g;
    g.inFlight = 3;
    g.openConnections = 5;
    g.storeWritable = false;
    g.sessionsByState.insert(QStringLiteral("tripped"), 2);
    g.stoppedAll = true;
    BudgetGauge b;
    b.rule = QStringLiteral("tenant \"acme\" per day");
    b.subject = QStringLiteral("acme");
    b.currency = QStringLiteral("USD");
    b.remainingTokens = 1200;
    b.remainingCostMicros = 4880000;
    b.usedRatio = 0.25;
    g.budgets << b;
    g.upstreams << UpstreamGauge{QStringLiteral("openai"), QStringLiteral("openai")};
    return g;
}

BudgetUsage usageOf(const QString &name, BudgetWindow window, const QList<std::pair<QString, qint64>> &spentTokens)
{
    BudgetUsage u;
    u.rule.name = name;
    u.rule.scope = BudgetScope::Tenant;
    u.rule.window = window;
    u.rule.maxTokens = 1000;
    for (const auto &[subject, spent] : spentTokens) {
        BudgetCounterUsage c;
        c.subject = subject;
        c.spent.tokens = spent;
        c.reserved.tokens = 10;
        c.fraction = double(spent) / 1000;
        u.counters << c;
    }
    return u;
}
} // namespace

class tst_GatewayMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsFeedRequestsTokensCostAndHistograms()
    {
        GatewayMetrics m;
        UsageRecord a = row(QStringLiteral("t1"), QStringLiteral("gpt-4o"), 200);
        a.promptTokens = 100;
        a.completionTokens = 40;
        a.cachedTokens = 30;
        a.reasoningTokens = 12;
        a.costMicros = 777;
        m.observe(a);
        m.observe(a);
        UsageRecord refused = row(QStringLiteral("t1"), QStringLiteral("gpt-4o"), 402, QStringLiteral("budget_exceeded"));
        refused.latencyMs = 0;
        refused.ttftMs = -1;
        m.observe(refused);

        const MetricsText s(m.render({}));
        QVERIFY2(s.isValid(), qPrintable(s.error()));
        QCOMPARE(s.sum("tokenfuse_requests_total", {{"tenant", "t1"}, {"code", "200"}}), 2.0);
        QCOMPARE(s.sum("tokenfuse_requests_total", {{"tenant", "t1"}, {"code", "402"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_requests_total", {{"endpoint", "/v1/chat/completions"}, {"model", "gpt-4o"}, {"upstream", "up"}}), 3.0);
        QCOMPARE(s.sum("tokenfuse_tokens_total", {{"direction", "prompt"}, {"model", "gpt-4o"}, {"tenant", "t1"}}), 200.0);
        QCOMPARE(s.sum("tokenfuse_tokens_total", {{"direction", "completion"}}), 80.0);
        QCOMPARE(s.sum("tokenfuse_tokens_total", {{"direction", "cached"}}), 60.0);
        QCOMPARE(s.sum("tokenfuse_tokens_total", {{"direction", "reasoning"}}), 24.0);
        QCOMPARE(s.sum("tokenfuse_cost_micros_total", {{"model", "gpt-4o"}, {"tenant", "t1"}, {"currency", "USD"}}), 1554.0);
        QCOMPARE(s.sum("tokenfuse_refusals_total", {{"kind", "budget_exceeded"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_request_errors_total", {{"kind", "budget_exceeded"}}), 1.0);
        QCOMPARE(s.count("tokenfuse_stream_cuts_total"), 0);
        // Duration: every row, refusals included; TTFT: rows that had a first token.
        QCOMPARE(s.sum("tokenfuse_request_duration_seconds_count", {{"endpoint", "/v1/chat/completions"}}), 3.0);
        QCOMPARE(s.sum("tokenfuse_request_duration_seconds_sum"), 3.0);
        QCOMPARE(s.sum("tokenfuse_request_duration_seconds_bucket", {{"le", "1"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_request_duration_seconds_bucket", {{"le", "2.5"}}), 3.0);
        QCOMPARE(s.sum("tokenfuse_time_to_first_token_seconds_count"), 2.0);
        QCOMPARE(s.sum("tokenfuse_time_to_first_token_seconds_bucket", {{"le", "0.1"}}), 0.0);
        QCOMPARE(s.sum("tokenfuse_time_to_first_token_seconds_bucket", {{"le", "0.25"}}), 2.0);
        QCOMPARE(s.typeOf("tokenfuse_request_duration_seconds"), QStringLiteral("histogram"));
        QCOMPARE(s.typeOf("tokenfuse_requests_total"), QStringLiteral("counter"));
    }

    void refusalsCutsAndErrorsAreToldApart_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("refusal");
        QTest::addColumn<bool>("cut");
        QTest::newRow("budget refusal") << 402 << "budget_exceeded" << false << true << false;
        QTest::newRow("budget refusal to codex") << 400 << "budget_exceeded" << true << true << false;
        QTest::newRow("rate limited") << 429 << "rate_limited" << false << true << false;
        QTest::newRow("unknown key") << 401 << "invalid_api_key" << false << true << false;
        QTest::newRow("store down") << 503 << "store_unavailable" << false << true << false;
        QTest::newRow("stream cut by budget") << 200 << "budget_exceeded" << true << false << true;
        QTest::newRow("upstream status") << 500 << "upstream_status_500" << false << false << false;
        QTest::newRow("upstream timeout") << 504 << "upstream_timeout" << false << false << false;
        QTest::newRow("upstream dropped a stream") << 200 << "upstream_disconnected" << true << false << false;
        QTest::newRow("client closed") << 499 << "client_closed" << false << false << false;
        QTest::newRow("client closed a stream") << 200 << "client_closed" << true << false << false;
        QTest::newRow("shutdown") << 503 << "cancelled" << false << false << false;
    }
    void refusalsCutsAndErrorsAreToldApart()
    {
        QFETCH(int, status);
        QFETCH(QString, kind);
        QFETCH(bool, stream);
        QFETCH(bool, refusal);
        QFETCH(bool, cut);
        GatewayMetrics m;
        UsageRecord r = row(QStringLiteral("t"), QStringLiteral("m"), status, kind);
        r.stream = stream;
        m.observe(r);
        const MetricsText s(m.render({}));
        QCOMPARE(s.sum("tokenfuse_request_errors_total", {{"kind", kind}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_refusals_total", {{"kind", kind}}), refusal ? 1.0 : 0.0);
        QCOMPARE(s.sum("tokenfuse_stream_cuts_total", {{"kind", kind}}), cut ? 1.0 : 0.0);
    }

    void successIsNoError()
    {
        GatewayMetrics m;
        m.observe(row(QStringLiteral("t"), QStringLiteral("m"), 200));
        const MetricsText s(m.render({}));
        QCOMPARE(s.count("tokenfuse_request_errors_total"), 0);
        QCOMPARE(s.count("tokenfuse_refusals_total"), 0);
    }

    void tenantsAndModelsAreBoundedAndSessionsNeverLabels()
    {
        GatewayMetrics m;
        for (int i = 0; i < 1000; ++i)
            m.observe(row(QStringLiteral("tenant-%1").arg(i), QStringLiteral("model-%1").arg(i % 300), 200));
        const QByteArray text = m.render({});
        const MetricsText s(text);
        QVERIFY2(s.isValid(), qPrintable(s.error()));
        QSet<QString> tenants, models;
        for (const MetricsText::Sample &x : s.samples()) {
            if (x.name == QLatin1String("tokenfuse_requests_total")) {
                tenants.insert(x.labels.value("tenant"));
                models.insert(x.labels.value("model"));
            }
            QVERIFY2(!x.labels.contains("session"), qPrintable(x.name));
        }
        QCOMPARE(tenants.size(), GatewayMetrics::MaxTenants + 1);
        QVERIFY(tenants.contains("other"));
        QVERIFY(models.size() <= GatewayMetrics::MaxModels + 1);
        QVERIFY(!text.contains("session-tenant-"));
        // Nothing lost: the folded rows are counted under "other".
        QCOMPARE(s.sum("tokenfuse_requests_total"), 1000.0);
        QCOMPARE(s.sum("tokenfuse_requests_total", {{"tenant", "other"}}), double(1000 - GatewayMetrics::MaxTenants));
        QCOMPARE(s.sum("tokenfuse_metrics_label_folds_total", {{"label", "tenant"}}), double(1000 - GatewayMetrics::MaxTenants));
    }

    void aModelOnlyRefusedRowsNameTakesNoRoom()
    {
        GatewayMetrics m;
        UsageRecord notFound = row(QStringLiteral("t"), QStringLiteral("made-up"), 404, QStringLiteral("not_found"));
        notFound.upstream.clear(); // no upstream serves it
        notFound.endpoint = QStringLiteral("/no/such/path");
        m.observe(notFound);
        const MetricsText s(m.render({}));
        QCOMPARE(s.sum("tokenfuse_requests_total", {{"model", "other"}, {"endpoint", "other"}, {"code", "404"}}), 1.0);
        QCOMPARE(s.count("tokenfuse_requests_total", {{"model", "made-up"}}), 0);
    }

    void tripsAndKills()
    {
        GatewayMetrics m;
        m.noteTrip(QStringLiteral("loop"));
        m.noteTrip(QStringLiteral("loop"));
        m.noteTrip(QStringLiteral("budget"));
        m.noteKill(QStringLiteral("session"));
        m.noteKill(QStringLiteral("all"));
        const MetricsText s(m.render({}));
        QCOMPARE(s.sum("tokenfuse_session_trips_total", {{"signal", "loop"}}), 2.0);
        QCOMPARE(s.sum("tokenfuse_session_trips_total", {{"signal", "budget"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_kills_total", {{"scope", "session"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_kills_total", {{"scope", "all"}}), 1.0);
    }

    void gaugesRenderAsHandedIn()
    {
        GatewayMetrics m;
        const MetricsText s(m.render(someGauges()));
        QVERIFY2(s.isValid(), qPrintable(s.error()));
        QCOMPARE(s.sum("tokenfuse_in_flight_requests"), 3.0);
        QCOMPARE(s.sum("tokenfuse_open_connections"), 5.0);
        QCOMPARE(s.sum("tokenfuse_store_up"), 0.0);
        QCOMPARE(s.sum("tokenfuse_stop_all"), 1.0);
        // Every state is there, 0 when the book has none in it.
        QCOMPARE(s.count("tokenfuse_sessions"), 4);
        QCOMPARE(s.sum("tokenfuse_sessions", {{"state", "tripped"}}), 2.0);
        QCOMPARE(s.sum("tokenfuse_sessions", {{"state", "active"}}), 0.0);
        QCOMPARE(s.sum("tokenfuse_budget_remaining_tokens", {{"rule", "tenant \"acme\" per day"}, {"subject", "acme"}}), 1200.0);
        QCOMPARE(s.sum("tokenfuse_budget_remaining_cost_micros", {{"subject", "acme"}, {"currency", "USD"}}), 4880000.0);
        QCOMPARE(s.count("tokenfuse_budget_remaining_requests"), 0); // no request cap
        QCOMPARE(s.sum("tokenfuse_budget_used_ratio", {{"subject", "acme"}}), 0.25);
        QCOMPARE(s.sum("tokenfuse_upstream_info", {{"upstream", "openai"}, {"dialect", "openai"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_build_info", {{"version", TOKENFUSE_VERSION}}), 1.0);
        const double start = s.sum("tokenfuse_start_time_seconds");
        QVERIFY(std::abs(start - QDateTime::currentSecsSinceEpoch()) < 60);
    }

    void promtoolAcceptsAFullExposition()
    {
        GatewayMetrics m;
        UsageRecord a = row(QStringLiteral("we\"ird\\ten\nant"), QStringLiteral("gpt-4o"), 200);
        a.promptTokens = 5;
        a.stream = true;
        m.observe(a);
        m.observe(row(QStringLiteral("t"), QStringLiteral("claude"), 429, QStringLiteral("rate_limited")));
        m.noteTrip(QStringLiteral("loop"));
        m.noteKill(QStringLiteral("tenant"));
        const QByteArray text = m.render(someGauges());
        const Promtool::Result r = Promtool::checkMetrics(text);
        QVERIFY2(r.ran, r.output.constData());
        QVERIFY2(r.exitCode == 0 && r.output.trimmed().isEmpty(), (r.output + "\n" + text).constData());
        // An empty gateway renders valid text too.
        const Promtool::Result empty = Promtool::checkMetrics(GatewayMetrics().render({}));
        QVERIFY2(empty.exitCode == 0 && empty.output.trimmed().isEmpty(), empty.output.constData());
    }

    // A scrape of a busy gateway: every family near its series cap. Prints the time per render
    // (run with -iterations N for a figure); checks the text stays valid at that size.
    void renderAtTheSeriesCap()
    {
        GatewayMetrics m;
        for (int i = 0; i < 5000; ++i) {
            UsageRecord r = row(QStringLiteral("tenant-%1").arg(i % 64), QStringLiteral("model-%1").arg(i % 97), i % 7 ? 200 : 429,
                                i % 7 ? QString() : QStringLiteral("rate_limited"));
            r.promptTokens = 10;
            r.completionTokens = 20;
            r.costMicros = 3;
            m.observe(r);
        }
        MetricsGauges g = someGauges();
        for (int i = 0; i < BudgetGauge::DefaultMax; ++i) {
            BudgetGauge b;
            b.rule = QStringLiteral("tenant * per day");
            b.subject = QStringLiteral("tenant-%1").arg(i);
            b.remainingTokens = i;
            g.budgets << b;
        }
        QByteArray text;
        QBENCHMARK {
            text = m.render(g);
        }
        QCOMPARE(m.requests().seriesCount(), GatewayMetrics::MaxSeries + 1); // full, plus its "other" series
        qInfo("%lld bytes, %lld request series", qint64(text.size()), qint64(m.requests().seriesCount()));
        const MetricsText s(text);
        QVERIFY2(s.isValid(), qPrintable(s.error()));
        QCOMPARE(s.sum("tokenfuse_requests_total"), 5000.0);
    }

    void budgetGaugesFullestFirstBoundedOncePerPair()
    {
        QList<BudgetUsage> usage;
        usage << usageOf(QStringLiteral("daily"), BudgetWindow::Day, {{"a", 100}, {"b", 900}, {"c", 1200}});
        usage << usageOf(QStringLiteral("daily"), BudgetWindow::Day, {{"a", 100}}); // same display name
        usage << usageOf(QStringLiteral("per request"), BudgetWindow::Request, {}); // no counters
        const QList<BudgetGauge> all = BudgetGauge::fromUsage(usage);
        QCOMPARE(all.size(), 3);
        QCOMPARE(all[0].subject, QStringLiteral("c"));
        QCOMPARE(*all[0].remainingTokens, 0);     // spent past the cap: never below 0
        QCOMPARE(*all[1].remainingTokens, 90);    // 1000 - 900 - 10 reserved
        QCOMPARE(all[1].rule, QStringLiteral("daily"));
        QVERIFY(!all[1].remainingCostMicros);     // no cost cap
        QVERIFY(!all[1].remainingRequests);
        QCOMPARE(all[2].subject, QStringLiteral("a"));
        // Session-scoped rules count per session id: no labels for them unless asked.
        BudgetUsage perSession = usageOf(QStringLiteral("per session"), BudgetWindow::Total, {{"sess-1", 999}});
        perSession.rule.scope = BudgetScope::Session;
        usage << perSession;
        QCOMPARE(BudgetGauge::fromUsage(usage).size(), 3);
        QCOMPARE(BudgetGauge::fromUsage(usage, 100, true).size(), 4);
        const QList<BudgetGauge> two = BudgetGauge::fromUsage(usage, 2);
        QCOMPARE(two.size(), 2);
        QCOMPARE(two[0].subject, QStringLiteral("c"));
        QCOMPARE(two[1].subject, QStringLiteral("b"));
    }
};

QTEST_GUILESS_MAIN(tst_GatewayMetrics)
#include "tst_GatewayMetrics.moc"
