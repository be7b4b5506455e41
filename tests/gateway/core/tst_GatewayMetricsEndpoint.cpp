// GET /metrics on a real gateway over real sockets: after real requests (streamed and not, both
// dialects, a 402 from a budget) the scraped counters rose by exactly what was sent, the tokens
// equal the rows in the store, the histograms counted every request; promtool accepts the text,
// and Prometheus itself scrapes it. Other methods get 405, a foreign Host 403, and no session id
// ever shows.
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "MetricsText.h"
#include "Promtool.h"
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {
QByteArray chat(const QString &model, bool stream)
{
    return QJsonDocument(QJsonObject{{"model", model}, {"stream", stream}, {"max_tokens", 16},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hello there"}}}}})
        .toJson(QJsonDocument::Compact);
}

HttpHeaders caller(const QByteArray &tenant, const QByteArray &session)
{
    HttpHeaders h;
    h.add("x-tenant-id", tenant);
    h.add("x-session-id", session);
    return h;
}
} // namespace

class tst_GatewayMetricsEndpoint : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SimulatorThread> m_sim;
    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_client;

    QByteArray scrape()
    {
        const GatewayClient::Reply r = m_client->call("/metrics", {}, {}, "GET");
        [&] {
            QCOMPARE(r.status, 200);
            QCOMPARE(r.headers.value("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        }();
        return r.body;
    }

    qint64 scalar(const QString &sql)
    {
        QSqlDatabase d = QSqlDatabase::database(QStringLiteral("metrics"), false);
        if (!d.isValid()) {
            d = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("metrics"));
            d.setDatabaseName(m_dataDir.filePath(QStringLiteral("tokenfuse.db")));
            d.open();
        }
        QSqlQuery q(d);
        q.exec(sql);
        return q.next() ? q.value(0).toLongLong() : -1;
    }

    static void checkWithPromtool(const QByteArray &text)
    {
        const Promtool::Result r = Promtool::checkMetrics(text);
        QVERIFY2(r.ran, r.output.constData());
        QVERIFY2(r.exitCode == 0, (r.output + "\n" + text).constData());
        QVERIFY2(r.output.trimmed().isEmpty(), r.output.constData());
    }

    // One request as raw bytes on its own connection: the status line's code.
    int rawStatus(const QByteArray &requestHead, QByteArray *response = nullptr)
    {
        RawClient c(m_port);
        c.send(requestHead + "Connection: close\r\n\r\n");
        [&] { QTRY_VERIFY_WITH_TIMEOUT(c.closed, 10000); }();
        if (response)
            *response = c.received;
        return c.received.mid(9, 3).toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_sim = std::make_unique<SimulatorThread>();
        const QString sim = QStringLiteral("http://127.0.0.1:%1").arg(m_sim->port());
        const QJsonObject json{
            {"upstreams", QJsonArray{QJsonObject{{"name", "sim-openai"}, {"base_url", sim + "/v1"}, {"models", QJsonArray{"gpt-*"}}},
                                     QJsonObject{{"name", "sim-anthropic"}, {"base_url", sim}, {"dialect", "anthropic"},
                                                 {"models", QJsonArray{"claude-*"}}}}},
            {"budgets", QJsonArray{QJsonObject{{"name", "broke daily"}, {"scope", "tenant"}, {"match", "m-broke"}, {"window", "day"},
                                               {"max_requests", 1}},
                                   QJsonObject{{"name", "main daily"}, {"scope", "tenant"}, {"match", "m-main"}, {"window", "day"},
                                               {"max_tokens", 1000000}}}}};
        QString error;
        m_host = GatewayUnderTest::create(json, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_client = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_host->stop();
        m_sim.reset();
    }

    void anIdleGatewayScrapesClean()
    {
        const QByteArray text = scrape();
        checkWithPromtool(text);
        const MetricsText s(text);
        QVERIFY2(s.isValid(), qPrintable(s.error()));
        QCOMPARE(s.sum("tokenfuse_in_flight_requests"), 0.0);
        QCOMPARE(s.sum("tokenfuse_store_up"), 1.0);
        QCOMPARE(s.sum("tokenfuse_stop_all"), 0.0);
        QCOMPARE(s.count("tokenfuse_sessions"), 4);
        QCOMPARE(s.sum("tokenfuse_upstream_info", {{"upstream", "sim-openai"}, {"dialect", "openai"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_upstream_info", {{"upstream", "sim-anthropic"}, {"dialect", "anthropic"}}), 1.0);
        QCOMPARE(s.sum("tokenfuse_build_info", {{"version", TOKENFUSE_VERSION}}), 1.0);
        QVERIFY(s.sum("tokenfuse_start_time_seconds") > 1.7e9);
        QVERIFY(s.sum("tokenfuse_open_connections") >= 1); // this scrape's own
        // A scrape is no request: it leaves no row and counts nowhere.
        QCOMPARE(s.sum("tokenfuse_requests_total"), 0.0);
        QCOMPARE(scalar(QStringLiteral("select count(*) from requests")), 0);
    }

    void countersRiseByWhatWasSentAndMatchTheStore()
    {
        const MetricsText before(scrape());
        // Six served for m-main: three whole, two streamed chat, one streamed Anthropic message.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-main", "s-secret-1")).status, 200);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", true), caller("m-main", "s-secret-1")).status, 200);
        const GatewayClient::Reply message = m_client->call("/v1/messages", chat("claude-x", true), caller("m-main", "s-secret-2"));
        QCOMPARE(message.status, 200);
        QVERIFY(message.body.contains("message_stop"));
        // m-broke may make one request a day: the second is refused 402 by its budget.
        QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-broke", "s-secret-3")).status, 200);
        const GatewayClient::Reply refused = m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-broke", "s-secret-3"));
        QCOMPARE(refused.status, 402);
        QTRY_COMPARE(scalar(QStringLiteral("select count(*) from requests")), 8);

        const QByteArray text = scrape();
        checkWithPromtool(text);
        const MetricsText after(text);
        QVERIFY2(after.isValid(), qPrintable(after.error()));
        const auto rose = [&](const QString &name, const QMap<QString, QString> &match) {
            return after.sum(name, match) - before.sum(name, match);
        };
        QCOMPARE(rose("tokenfuse_requests_total", {}), 8.0);
        QCOMPARE(rose("tokenfuse_requests_total", {{"tenant", "m-main"}}), 6.0);
        QCOMPARE(rose("tokenfuse_requests_total", {{"endpoint", "/v1/chat/completions"}, {"model", "gpt-4o-mini"},
                                                   {"upstream", "sim-openai"}, {"tenant", "m-main"}, {"code", "200"}}), 5.0);
        QCOMPARE(rose("tokenfuse_requests_total", {{"endpoint", "/v1/messages"}, {"model", "claude-x"},
                                                   {"upstream", "sim-anthropic"}, {"code", "200"}}), 1.0);
        QCOMPARE(rose("tokenfuse_requests_total", {{"tenant", "m-broke"}, {"code", "200"}}), 1.0);
        QCOMPARE(rose("tokenfuse_requests_total", {{"tenant", "m-broke"}, {"code", "402"}}), 1.0);
        QCOMPARE(rose("tokenfuse_refusals_total", {{"kind", "budget_exceeded"}}), 1.0);
        QCOMPARE(rose("tokenfuse_refusals_total", {}), 1.0);
        QCOMPARE(rose("tokenfuse_stream_cuts_total", {}), 0.0);

        // Tokens and cost as the store has them, row for row.
        for (const QString &tenant : {QStringLiteral("m-main"), QStringLiteral("m-broke")}) {
            const QString where = QStringLiteral(" from requests where tenant = '%1'").arg(tenant);
            const qint64 prompt = scalar(QStringLiteral("select sum(prompt_tokens)") + where);
            const qint64 completion = scalar(QStringLiteral("select sum(completion_tokens)") + where);
            QVERIFY(prompt > 0 && completion > 0);
            QCOMPARE(after.sum("tokenfuse_tokens_total", {{"direction", "prompt"}, {"tenant", tenant}}), double(prompt));
            QCOMPARE(after.sum("tokenfuse_tokens_total", {{"direction", "completion"}, {"tenant", tenant}}), double(completion));
            QCOMPARE(after.sum("tokenfuse_tokens_total", {{"direction", "cached"}, {"tenant", tenant}}),
                     double(scalar(QStringLiteral("select sum(cached_tokens)") + where)));
            QCOMPARE(after.sum("tokenfuse_cost_micros_total", {{"tenant", tenant}}), double(scalar(QStringLiteral("select sum(cost_micros)") + where)));
        }

        // Every request in the duration histogram; +Inf equals the count; TTFT for each row with one.
        QCOMPARE(rose("tokenfuse_request_duration_seconds_count", {}), 8.0);
        QCOMPARE(after.sum("tokenfuse_request_duration_seconds_bucket", {{"le", "+Inf"}}),
                 after.sum("tokenfuse_request_duration_seconds_count"));
        QCOMPARE(after.sum("tokenfuse_time_to_first_token_seconds_count"),
                 double(scalar(QStringLiteral("select count(*) from requests where ttft_ms >= 0"))));
        QCOMPARE(after.sum("tokenfuse_time_to_first_token_seconds_bucket", {{"le", "+Inf"}}),
                 after.sum("tokenfuse_time_to_first_token_seconds_count"));
        QVERIFY(after.sum("tokenfuse_time_to_first_token_seconds_count") >= 3); // the streams at least

        // Budgets left, per rule and subject: m-broke has spent its one request.
        QCOMPARE(after.sum("tokenfuse_budget_remaining_requests", {{"rule", "broke daily"}, {"subject", "m-broke"}}), 0.0);
        QVERIFY(after.sum("tokenfuse_budget_used_ratio", {{"rule", "broke daily"}, {"subject", "m-broke"}}) >= 1.0);
        const qint64 mainTokens = scalar(QStringLiteral("select sum(prompt_tokens + completion_tokens) from requests where tenant = 'm-main'"));
        QCOMPARE(after.sum("tokenfuse_budget_remaining_tokens", {{"rule", "main daily"}, {"subject", "m-main"}}), double(1000000 - mainTokens));
        QCOMPARE(after.sum("tokenfuse_in_flight_requests"), 0.0);

        // Session ids are never labels.
        QVERIFY(!text.contains("s-secret"));
        for (const MetricsText::Sample &x : after.samples())
            QVERIFY2(!x.labels.contains(QStringLiteral("session")), qPrintable(x.name));
    }

    void killSwitchesShowAsKillsSessionStatesAndRefusals()
    {
        QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-kill", "s-kill-1")).status, 200);
        QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-kill", "s-kill-2")).status, 200);
        const MetricsText before(scrape());
        QVERIFY(before.sum("tokenfuse_sessions", {{"state", "active"}}) >= 2);
        QCOMPARE(m_client->admin("POST", "sessions/s-kill-1/kill").status, 200);
        QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", false), caller("m-kill", "s-kill-1")).status, 403);
        const MetricsText killed(scrape());
        QCOMPARE(killed.sum("tokenfuse_kills_total", {{"scope", "session"}}) - before.sum("tokenfuse_kills_total", {{"scope", "session"}}), 1.0);
        QCOMPARE(killed.sum("tokenfuse_sessions", {{"state", "killed"}}), 1.0);
        QCOMPARE(killed.sum("tokenfuse_sessions", {{"state", "active"}}), before.sum("tokenfuse_sessions", {{"state", "active"}}) - 1);
        QCOMPARE(killed.sum("tokenfuse_refusals_total", {{"kind", "session_blocked"}})
                     - before.sum("tokenfuse_refusals_total", {{"kind", "session_blocked"}}), 1.0);
        QCOMPARE(killed.sum("tokenfuse_stop_all"), 0.0);

        QCOMPARE(m_client->admin("POST", "stop-all").status, 200);
        const MetricsText stopped(scrape());
        QCOMPARE(stopped.sum("tokenfuse_stop_all"), 1.0);
        QCOMPARE(stopped.sum("tokenfuse_kills_total", {{"scope", "all"}}) - before.sum("tokenfuse_kills_total", {{"scope", "all"}}), 1.0);
        QCOMPARE(stopped.sum("tokenfuse_sessions", {{"state", "active"}}), 0.0); // stop-all blocks every one
        checkWithPromtool(scrape());
        QCOMPARE(m_client->admin("POST", "resume-all").status, 200);
        QCOMPARE(m_client->admin("POST", "sessions/s-kill-1/resume").status, 200);
        const MetricsText resumed(scrape());
        QCOMPARE(resumed.sum("tokenfuse_stop_all"), 0.0);
        QCOMPARE(resumed.sum("tokenfuse_sessions", {{"state", "killed"}}), 0.0);
        QVERIFY(!scrape().contains("s-kill"));
    }

    void onlyGetIsAnswered_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::newRow("POST") << QByteArray("POST");
        QTest::newRow("DELETE") << QByteArray("DELETE");
        QTest::newRow("HEAD") << QByteArray("HEAD");
    }
    void onlyGetIsAnswered()
    {
        QFETCH(QByteArray, method);
        const double rowsBefore = MetricsText(scrape()).sum("tokenfuse_requests_total");
        QByteArray response;
        QCOMPARE(rawStatus(method + " /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n", &response), 405);
        QVERIFY2(response.toLower().contains("\r\nallow: get\r\n"), response.constData());
        // Not a request of the API: no row, no count.
        QCOMPARE(MetricsText(scrape()).sum("tokenfuse_requests_total"), rowsBefore);
    }

    void aForeignHostIsRefused()
    {
        QCOMPARE(rawStatus("GET /metrics HTTP/1.1\r\nHost: evil.example\r\n"), 403);
        QCOMPARE(rawStatus("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\nOrigin: http://evil.example\r\n"), 403);
        QCOMPARE(rawStatus("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n"), 200);
    }

    void prometheusScrapesIt()
    {
        const QString program = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
        QVERIFY2(!program.isEmpty(), "prometheus not found on PATH: install Debian's prometheus package "
                                     "(sudo apt-get install prometheus, or bash installer/debian-deps.sh)");
        QTemporaryDir dir;
        const quint16 promPort = TestSupport::freePort();
        QFile config(dir.filePath(QStringLiteral("prometheus.yml")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                     "scrape_configs:\n  - job_name: tokenfuse\n    static_configs:\n      - targets: ['127.0.0.1:"
                     + QByteArray::number(m_port) + "']\n");
        config.close();
        QProcess prometheus;
        prometheus.setProcessChannelMode(QProcess::MergedChannels);
        prometheus.start(program, {QStringLiteral("--config.file=") + config.fileName(),
                                   QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("data")),
                                   QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(promPort), QStringLiteral("--log.level=warn")});
        QVERIFY2(prometheus.waitForStarted(10000), qPrintable(prometheus.errorString()));
        QCOMPARE(m_client->call("/v1/chat/completions", chat("gpt-4o-mini", true), caller("m-prom", "s-prom")).status, 200);
        QTRY_COMPARE(MetricsText(scrape()).sum("tokenfuse_requests_total", {{"tenant", "m-prom"}}), 1.0);
        GatewayClient api(promPort, dir.path());
        // The value of an instant query, once Prometheus has it; NaN until then.
        const auto query = [&](const QByteArray &promql) {
            const GatewayClient::Reply r = api.call("/api/v1/query?query=" + QUrl::toPercentEncoding(QString::fromUtf8(promql)), {}, {}, "GET");
            const QJsonArray result = QJsonDocument::fromJson(r.body).object().value("data").toObject().value("result").toArray();
            return result.isEmpty() ? std::nan("") : result.at(0).toObject().value("value").toArray().at(1).toString().toDouble();
        };
        QTRY_COMPARE_WITH_TIMEOUT(query("up{job=\"tokenfuse\"}"), 1.0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(query("sum(tokenfuse_requests_total{tenant=\"m-prom\"})"), 1.0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(query("sum(tokenfuse_time_to_first_token_seconds_count{endpoint=\"/v1/chat/completions\"})"),
                                  MetricsText(scrape()).sum("tokenfuse_time_to_first_token_seconds_count", {{"endpoint", "/v1/chat/completions"}}), 10000);
        QVERIFY(query("scrape_samples_scraped{job=\"tokenfuse\"}") > 50);
        prometheus.terminate();
        QVERIFY(prometheus.waitForFinished(10000));
        const QByteArray log = prometheus.readAll();
        QVERIFY2(!log.contains("level=error"), log.constData());
    }
};

QTEST_GUILESS_MAIN(tst_GatewayMetricsEndpoint)
#include "tst_GatewayMetricsEndpoint.moc"
