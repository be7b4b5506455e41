// The rate limit routes of the admin API on a real gateway (simulator upstream): a PUT is in
// force at the next request (429 over it), an invalid rule gets RateLimitRule's own message and
// changes nothing, the change is audited, and it survives a restart from the store.
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "budget/RateLimitRule.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class tst_AdminRateLimits : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_dataDir = std::make_unique<QTemporaryDir>();
        start();
    }

    void cleanup()
    {
        stop();
    }

    void getSaysTheRulesAndWhereTheyAreKept()
    {
        const GatewayClient::Reply r = m_client->admin("GET", "rate_limits");
        QCOMPARE(r.status, 200);
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(o.value("rate_limits").toArray(), QJsonArray());
        QCOMPARE(o.value("stored_in").toString(), QStringLiteral("store"));
    }

    void aPutIsInForceAtTheNextRequest()
    {
        QCOMPARE(request("t-1"), 200);
        const QJsonArray rules{QJsonObject{{"scope", "tenant"}, {"match", "t-*"}, {"rpm", 2}}};
        const GatewayClient::Reply put = m_client->admin("PUT", "rate_limits", rules);
        QCOMPARE(put.status, 200);
        const QJsonObject answer = QJsonDocument::fromJson(put.body).object();
        QCOMPARE(answer.value("rate_limits").toArray(), rules);
        QCOMPARE(answer.value("stored_in").toString(), QStringLiteral("store"));
        // Counted from the rule on (a subject no rule matched has no window): two fit, the third is over.
        QCOMPARE(request("t-1"), 200);
        QCOMPARE(request("t-1"), 200);
        QCOMPARE(request("t-1"), 429);
        QCOMPARE(request("other"), 200); // not matched
        // The object form is taken too, and lifts the limit at once.
        QCOMPARE(m_client->admin("PUT", "rate_limits", QJsonObject{{"rate_limits", QJsonArray()}}).status, 200);
        QCOMPARE(request("t-1"), 200);
    }

    void anInvalidRuleGetsRateLimitRulesMessageAndChangesNothing_data()
    {
        QTest::addColumn<QJsonValue>("body");
        QTest::addColumn<QString>("message");
        const auto expected = [](const QJsonValue &v) {
            QString error;
            [[maybe_unused]] const auto parsed = RateLimitRule::listFromJson(v, &error);
            return error;
        };
        const QJsonArray zeroRpm{QJsonObject{{"scope", "tenant"}, {"rpm", 0}}};
        const QJsonArray noLimit{QJsonObject{{"scope", "session"}}};
        const QJsonArray badScope{QJsonObject{{"scope", "global"}, {"rpm", 3}}};
        const QJsonArray unknownKey{QJsonObject{{"scope", "tenant"}, {"rpm", 3}, {"rps", 1}}};
        QTest::newRow("rpm 0") << QJsonValue(zeroRpm) << expected(zeroRpm);
        QTest::newRow("no limit") << QJsonValue(noLimit) << expected(noLimit);
        QTest::newRow("scope global") << QJsonValue(badScope) << expected(badScope);
        QTest::newRow("unknown key") << QJsonValue(unknownKey) << expected(unknownKey);
        QTest::newRow("not an array") << QJsonValue(QJsonObject{{"rules", 1}})
                                      << QStringLiteral("Send the rate_limits as a JSON array of rules, as in the config file's \"rate_limits\".");
    }

    void anInvalidRuleGetsRateLimitRulesMessageAndChangesNothing()
    {
        QFETCH(QJsonValue, body);
        QFETCH(QString, message);
        QVERIFY(message.startsWith(QLatin1String("rate_limits")) || message.startsWith(QLatin1String("Send")));
        const QJsonArray before{QJsonObject{{"scope", "session"}, {"match", "*"}, {"concurrency", 5}}};
        QCOMPARE(m_client->admin("PUT", "rate_limits", before).status, 200);
        const GatewayClient::Reply r = m_client->admin("PUT", "rate_limits", body);
        QCOMPARE(r.status, 400);
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("error").toObject().value("message").toString(), message);
        QCOMPARE(QJsonDocument::fromJson(m_client->admin("GET", "rate_limits").body).object().value("rate_limits").toArray(), before);
    }

    void aPutIsAuditedAndSurvivesARestartFromTheStore()
    {
        const QJsonArray rules{QJsonObject{{"scope", "session"}, {"match", "agent-?"}, {"rpm", 1}, {"tpm", 100000}}};
        QCOMPARE(m_client->admin("PUT", "rate_limits", rules).status, 200);
        const QJsonArray audit = QJsonDocument::fromJson(m_client->admin("GET", "audit").body).object().value("audit").toArray();
        QVERIFY(!audit.isEmpty());
        const QJsonObject entry = audit.first().toObject();
        QCOMPARE(entry.value("action").toString(), QStringLiteral("rate_limits.put"));
        QCOMPARE(entry.value("after").toArray(), rules);
        QCOMPARE(entry.value("before").toArray(), QJsonArray());

        stop();
        start();
        const QJsonObject o = QJsonDocument::fromJson(m_client->admin("GET", "rate_limits").body).object();
        QCOMPARE(o.value("rate_limits").toArray(), rules);
        QCOMPARE(request("t", "agent-1"), 200);
        QCOMPARE(request("t", "agent-1"), 429);
    }

private:
    void start()
    {
        QString error;
        m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir->path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_client = std::make_unique<GatewayClient>(m_port, m_dataDir->path());
    }

    void stop()
    {
        m_client.reset();
        if (m_host) {
            m_host->stop();
            delete m_host;
            m_host = nullptr;
        }
    }

    int request(const QString &tenant, const QString &session = QStringLiteral("s-1"))
    {
        HttpHeaders h;
        h.add("content-type", "application/json");
        h.add("x-tenant-id", tenant.toUtf8());
        h.add("x-session-id", session.toUtf8());
        const QByteArray body = R"({"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
        return m_client->call("/v1/chat/completions", body, h).status;
    }

    std::unique_ptr<QTemporaryDir> m_dataDir;
    GatewayHost *m_host = nullptr;
    quint16 m_port = 0;
    std::unique_ptr<GatewayClient> m_client;
};

QTEST_GUILESS_MAIN(tst_AdminRateLimits)
#include "tst_AdminRateLimits.moc"
