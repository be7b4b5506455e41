// AdminChannel: the console's admin calls reach a real gateway (on its own thread, the simulator
// answering) through the admin API's own handlers. The same validation message as over HTTP, a
// change in force at once and audited as the console's, and an answer for a page that has gone
// delivered to nobody.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "admin/AdminChannel.h"
#include "core/GatewayHost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <optional>

class tst_AdminChannel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QString error;
        m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        ConsoleWiring::connectAdmin(*m_host, m_channel);
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
    }

    void cleanupTestCase()
    {
        m_host->stop();
    }

    void anInvalidRuleGetsTheAdminApisMessage()
    {
        const QJsonArray rules{QJsonObject{{"scope", "tenant"}, {"window", "fortnight"}, {"max_tokens", 10}}};
        const QByteArray body = QJsonDocument(rules).toJson(QJsonDocument::Compact);
        const AdminAnswer answer = call(AdminCall::put("/admin/v1/budgets", body));
        QCOMPARE(answer.status, 400);
        QVERIFY2(answer.errorMessage().contains(QLatin1String("budgets[0].window")), qPrintable(answer.errorMessage()));
        // Word for word what the HTTP route answers.
        GatewayClient http(m_port, m_dataDir.path());
        const GatewayClient::Reply reply = http.admin("PUT", "budgets", rules);
        QCOMPARE(reply.status, 400);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object().value("error").toObject().value("message").toString(),
                 answer.errorMessage());
    }

    void aChangeIsInForceAtOnceAndAuditedAsTheConsole()
    {
        const QJsonArray rules{QJsonObject{{"name", "tiny"}, {"scope", "global"}, {"window", "day"}, {"max_requests", 1},
                                           {"over_cap", "refuse"}}};
        const AdminAnswer answer = call(AdminCall::put("/admin/v1/budgets", QJsonDocument(rules).toJson()));
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.body.toObject().value("budgets").toArray().size(), 1);

        GatewayClient http(m_port, m_dataDir.path());
        const QByteArray chat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
        QCOMPARE(http.call("/v1/chat/completions", chat).status, 200);
        QCOMPARE(http.call("/v1/chat/completions", chat).status, 402);

        const AdminAnswer audit = call(AdminCall::get("/admin/v1/audit", "limit=1"));
        QCOMPARE(audit.status, 200);
        const QJsonObject last = audit.body.toObject().value("audit").toArray().first().toObject();
        QCOMPARE(last.value("action").toString(), QStringLiteral("budgets.put"));
        QCOMPARE(last.value("actor").toString(), QStringLiteral("console"));

        QCOMPARE(call(AdminCall::put("/admin/v1/budgets", "[]")).status, 200);
    }

    void aPageThatHasGoneIsNotCalled()
    {
        auto page = std::make_unique<QObject>();
        bool called = false;
        QSignalSpy answered(&m_channel, &AdminChannel::answered);
        m_channel.call(AdminCall::get("/admin/v1/keys"), page.get(), [&called](const AdminAnswer &) { called = true; });
        page.reset();
        QTRY_COMPARE(answered.size(), 1);
        QVERIFY(!called);
        QCOMPARE(m_channel.pending(), 0);
    }

    void anUnknownRouteIsAnAdminError()
    {
        const AdminAnswer answer = call(AdminCall::get("/admin/v1/nothing-here"));
        QCOMPARE(answer.status, 404);
        QCOMPARE(answer.errorType(), QStringLiteral("not_found_error"));
    }

private:
    AdminAnswer call(const AdminCall &c)
    {
        std::optional<AdminAnswer> got;
        m_channel.call(c, this, [&got](const AdminAnswer &a) { got = a; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 5000); }();
        return got.value_or(AdminAnswer{});
    }

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    AdminChannel m_channel;
    quint16 m_port = 0;
};

QTEST_MAIN(tst_AdminChannel)
#include "tst_AdminChannel.moc"
