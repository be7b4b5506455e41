// The phases a ProxyExchange passes through, as its phaseChanged() signal reports them, for each
// way a request can go: the exchange serves a real HttpServer in this thread, with a real budget
// ledger and SQLite usage store, and forwards to the built-in simulator on its own thread (or to a
// port nobody listens on).
#include "SimulatorThread.h"
#include "TestSupport.h"
#include "accounting/UsageRecord.h"
#include "budget/BudgetLedger.h"
#include "dialect/Dialect.h"
#include "http/HttpServer.h"
#include "proxy/ProxyExchange.h"
#include "store/UsageStore.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using Phase = ProxyExchange::Phase;

namespace {
struct Reply
{
    int status = 0;
    QByteArray body;
    bool finished = false;
    bool failed = false;
    bool done() const { return finished || failed; }
};
} // namespace

class tst_ProxyExchangePhases : public QObject
{
    Q_OBJECT
private:
    SimulatorThread m_simulator;
    QTemporaryDir m_dataDir;
    std::unique_ptr<UsageStore> m_store;
    std::unique_ptr<BudgetLedger> m_ledger;
    std::unique_ptr<HttpServer> m_server;
    UpstreamClient m_upstreamClient; // the exchanges'
    UpstreamClient m_client;         // the test's, as the caller
    UpstreamConfig m_upstream;
    QStringList m_phases; // names, as entered, starting with the phase an exchange is made in
    QList<UsageRecord> m_rows;
    int m_done = 0;
    // Called with the exchange on every phase it enters (a test that cancels it does so here).
    std::function<void(ProxyExchange *)> m_onPhase;

    QString trail() const { return m_phases.join(QLatin1Char(',')); }

    void useBudget(std::optional<qint64> maxTokens, BudgetOverCap overCap)
    {
        QList<BudgetRule> rules;
        if (maxTokens) {
            BudgetRule rule;
            rule.maxTokens = maxTokens;
            rule.overCap = overCap;
            rules << rule;
        }
        m_ledger->setRules(rules);
    }

    UpstreamCall *send(const QJsonObject &body, const HttpHeaders &extra, Reply *reply)
    {
        UpstreamRequest r;
        r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server->serverPort()));
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        r.headers.add("content-type", "application/json");
        for (const auto &f : extra.fields())
            r.headers.add(f.first, f.second);
        UpstreamCall *call = m_client.start(r);
        connect(call, &UpstreamCall::responseStarted, this, [reply](int s, const HttpHeaders &) { reply->status = s; });
        connect(call, &UpstreamCall::dataReceived, this, [reply](const QByteArray &d) { reply->body += d; });
        connect(call, &UpstreamCall::finished, this, [reply] { reply->finished = true; });
        connect(call, &UpstreamCall::failed, this, [reply](UpstreamCall::Failure, const QString &) { reply->failed = true; });
        return call;
    }

    static QJsonObject chat(bool stream)
    {
        return QJsonObject{{"model", "gpt-x"}, {"stream", stream}, {"max_tokens", 64},
                           {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}};
    }

    static HttpHeaders sim(std::initializer_list<std::pair<QByteArray, QByteArray>> knobs)
    {
        HttpHeaders h;
        h.add("x-sim-ttft-ms", "0");
        for (const auto &k : knobs)
            h.add("x-sim-" + k.first, k.second);
        return h;
    }

    void waitForEnd(const Reply &reply)
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_done == 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(reply.done(), 15000);
        QCOMPARE(m_rows.size(), 1);
    }

private Q_SLOTS:
    void init()
    {
        m_phases.clear();
        m_rows.clear();
        m_done = 0;
        m_onPhase = nullptr;
        m_store = std::make_unique<UsageStore>();
        QString error;
        QVERIFY2(m_store->open(m_dataDir.path(), &error), qPrintable(error));
        m_store->recoverAndLoad(QDateTime::currentMSecsSinceEpoch(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_ledger = std::make_unique<BudgetLedger>();
        m_upstream = UpstreamConfig();
        m_upstream.name = QStringLiteral("sim");
        m_upstream.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(m_simulator.port()));
        m_server = std::make_unique<HttpServer>();
        m_server->setHandler([this](const HttpRequest &request, HttpResponder *responder) {
            ProxyServices services;
            services.client = &m_upstreamClient;
            services.store = m_store.get();
            services.ledger = m_ledger.get();
            services.recorded = [this](const UsageRecord &row) { m_rows << row; };
            const Dialect &dialect = Dialect::forApi(ApiDialect::OpenAi);
            QString why;
            std::optional<ChatRequest> parsed = dialect.parseRequest(request.body, &why);
            QVERIFY2(parsed, qPrintable(why));
            CallerIdentity caller;
            caller.tenant = QStringLiteral("tenant");
            caller.session = QStringLiteral("phases");
            auto *exchange = new ProxyExchange(services, request, responder, dialect, std::move(parsed), m_upstream, caller, this);
            m_phases << QString::fromLatin1(exchange->phaseName());
            connect(exchange, &ProxyExchange::phaseChanged, this, [this, exchange](Phase phase) {
                // The signal and phase() agree, and the name is the one phaseName() gives it.
                QCOMPARE(exchange->phase(), phase);
                m_phases << QString::fromLatin1(ProxyExchange::phaseName(phase));
                if (m_onPhase)
                    m_onPhase(exchange);
            });
            connect(exchange, &ProxyExchange::done, this, [this, exchange] {
                ++m_done;
                exchange->deleteLater();
            });
            exchange->start();
        });
        QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    }

    void cleanup()
    {
        m_server.reset();
        QTRY_COMPARE(m_done, int(m_phases.contains(QLatin1String("admitting"))));
        m_store.reset();
    }

    void aRefusedRequestIsSettledWithoutGoingUpstream()
    {
        useBudget(5, BudgetOverCap::Refuse);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(false), sim({}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 402);
        QCOMPARE(trail(), QStringLiteral("admitting,settling,done"));
        QCOMPARE(m_rows.at(0).error, QStringLiteral("budget_exceeded"));
        QCOMPARE(m_simulator.read(&SimulatorServer::requestsServed), quint64(0));
    }

    void aWholeAnswerIsBuffered()
    {
        useBudget(100000, BudgetOverCap::Clamp);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(false), sim({}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 200);
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,buffering,settling,done"));
        QCOMPARE(m_rows.at(0).error, QString());
        QVERIFY(m_rows.at(0).completionTokens > 0);
    }

    void aStreamIsRelayed()
    {
        useBudget(100000, BudgetOverCap::Clamp);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({{"tokens-per-second", "0"}}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.finished);
        QVERIFY(reply.body.contains("data: [DONE]"));
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,streaming,settling,done"));
        QCOMPARE(m_rows.at(0).error, QString());
    }

    void aStreamPastItsBudgetIsCut()
    {
        // The upstream ignores the clamped limit, so the gate has to stop it.
        useBudget(60, BudgetOverCap::Clamp);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({{"tokens-per-second", "0"}, {"completion-tokens", "400"},
                                                                {"fault", "ignore-max-tokens"}}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.body.contains("data: [DONE]"));
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,streaming,cut,settling,done"));
        QCOMPARE(m_rows.at(0).error, QStringLiteral("budget_exceeded"));
    }

    void aClientThatLeavesMidStreamIsSettled()
    {
        useBudget(100000, BudgetOverCap::Clamp);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({{"tokens-per-second", "20"}, {"completion-tokens", "400"}}), &reply));
        QTRY_VERIFY_WITH_TIMEOUT(!reply.body.isEmpty(), 15000);
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,streaming"));
        call.reset(); // closes the connection
        QTRY_VERIFY_WITH_TIMEOUT(m_done == 1, 15000);
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,streaming,settling,done"));
        QCOMPARE(m_rows.size(), 1);
        QCOMPARE(m_rows.at(0).error, QStringLiteral("client_closed"));
    }

    void aCancelledStreamIsSettled()
    {
        // What a kill does: cancel() from the gateway while the stream runs.
        useBudget(100000, BudgetOverCap::Clamp);
        m_onPhase = [](ProxyExchange *exchange) {
            if (exchange->phase() == Phase::Streaming)
                QTimer::singleShot(0, exchange, [exchange] { exchange->cancel(Dialect::Error::UpstreamUnavailable, QStringLiteral("stopped")); });
        };
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({{"tokens-per-second", "20"}, {"completion-tokens", "400"}}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.contains("stopped"));
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,streaming,settling,done"));
        QCOMPARE(m_rows.at(0).error, QStringLiteral("cancelled"));
    }

    void anUpstreamThatCannotBeReachedFails()
    {
        useBudget(100000, BudgetOverCap::Clamp);
        m_upstream.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(TestSupport::freePort()));
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 502);
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,settling,done"));
        QCOMPARE(m_rows.at(0).error, QStringLiteral("upstream_error"));
    }

    void anUpstreamErrorStatusIsBuffered()
    {
        useBudget(100000, BudgetOverCap::Clamp);
        Reply reply;
        std::unique_ptr<UpstreamCall> call(send(chat(true), sim({{"fault", "status:500"}}), &reply));
        waitForEnd(reply);
        QCOMPARE(reply.status, 500);
        QCOMPARE(trail(), QStringLiteral("admitting,reserving,forwarding,buffering,settling,done"));
        QCOMPARE(m_rows.at(0).error, QStringLiteral("upstream_status_500"));
    }
};

QTEST_GUILESS_MAIN(tst_ProxyExchangePhases)
#include "tst_ProxyExchangePhases.moc"
