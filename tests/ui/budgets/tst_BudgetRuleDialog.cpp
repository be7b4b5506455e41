// BudgetRuleDialog: each bad input shows, word for word, the message a real gateway's admin API
// answers for the same list, with OK disabled; a good one enables OK and submits the whole list
// with the rule in place.
#include "GatewayClient.h"
#include "RunningGateway.h"
#include "budgets/BudgetRuleDialog.h"
#include "core/GatewayHost.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

namespace {
BudgetRule existing()
{
    BudgetRule r;
    r.name = QStringLiteral("whole day");
    r.maxCostMicros = 25'000'000;
    return r;
}
} // namespace

class tst_BudgetRuleDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    }

    void aBadInputShowsTheAdminApisMessage_data()
    {
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("startsWith");
        QTest::newRow("tokens not a number") << "session" << "maxTokens" << "lots" << "budgets[1].max_tokens:";
        QTest::newRow("tokens negative") << "session" << "maxTokens" << "-5" << "budgets[1].max_tokens:";
        QTest::newRow("tokens fractional") << "session" << "maxTokens" << "2.5" << "budgets[1].max_tokens:";
        QTest::newRow("cost not an amount") << "session" << "maxCost" << "$5" << "budgets[1].max_cost:";
        QTest::newRow("cost too large") << "session" << "maxCost" << "2000000000" << "budgets[1].max_cost:";
        QTest::newRow("requests not a number") << "session" << "maxRequests" << "ten" << "budgets[1].max_requests:";
        QTest::newRow("no cap at all") << "session" << "maxTokens" << "" << "budgets[1]: needs at least one of";
        QTest::newRow("currency") << "session" << "currency" << "dollars" << "budgets[1].currency:";
        QTest::newRow("alert above 1") << "session" << "alertAt" << "1.5" << "budgets[1].alert_at:";
        QTest::newRow("alert zero") << "tenant" << "alertAt" << "0" << "budgets[1].alert_at:";
        QTest::newRow("empty match") << "tenant" << "match" << "" << "budgets[1].match:";
        QTest::newRow("min output zero") << "session" << "minOutputTokens" << "0" << "budgets[1].min_output_tokens:";
    }

    void aBadInputShowsTheAdminApisMessage()
    {
        QFETCH(QString, scope);
        QFETCH(QString, field);
        QFETCH(QString, typed);
        QFETCH(QString, startsWith);
        BudgetRuleDialog dialog({existing()}, 1);
        dialog.show();
        auto *scopeBox = dialog.findChild<QComboBox *>(QStringLiteral("scope"));
        scopeBox->setCurrentIndex(scopeBox->findData(scope));
        type(dialog, QStringLiteral("maxTokens"), QStringLiteral("1000"));
        type(dialog, field, typed);

        auto *error = dialog.findChild<QLabel *>(QStringLiteral("error"));
        QVERIFY2(error->text().startsWith(startsWith), qPrintable(error->text()));
        QVERIFY(error->isVisible());
        QVERIFY(!okButton(dialog)->isEnabled());
        // The same list over HTTP: the admin API refuses it with exactly this message.
        const GatewayClient::Reply reply = m_gateway.client().admin("PUT", "budgets", dialog.listJson());
        QCOMPARE(reply.status, 400);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object().value("error").toObject().value("message").toString(), error->text());
    }

    void aGoodRuleSubmitsTheWholeList()
    {
        BudgetRuleDialog dialog({existing()}, 1);
        dialog.show();
        auto *scopeBox = dialog.findChild<QComboBox *>(QStringLiteral("scope"));
        scopeBox->setCurrentIndex(scopeBox->findData(QStringLiteral("tenant")));
        type(dialog, QStringLiteral("name"), QStringLiteral("acme monthly"));
        type(dialog, QStringLiteral("match"), QStringLiteral("acme-*"));
        type(dialog, QStringLiteral("maxCost"), QStringLiteral("200.50"));
        QVERIFY(dialog.error().isEmpty());
        QVERIFY(okButton(dialog)->isEnabled());
        QSignalSpy submitted(&dialog, &BudgetRuleDialog::submitted);
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(submitted.count(), 1);
        const QJsonArray list = submitted.at(0).at(0).toJsonArray();
        const std::optional<QList<BudgetRule>> rules = BudgetRule::listFromJson(list);
        QVERIFY(rules);
        QCOMPARE(rules->size(), 2);
        QCOMPARE(rules->at(0), existing());
        QCOMPARE(rules->at(1).name, QStringLiteral("acme monthly"));
        QCOMPARE(rules->at(1).scope, BudgetScope::Tenant);
        QCOMPARE(rules->at(1).match, QStringLiteral("acme-*"));
        QCOMPARE(rules->at(1).maxCostMicros, std::optional<qint64>(200'500'000));
        QVERIFY(dialog.isVisible()); // closed by the page once the gateway has it
    }

    void editingFillsTheFieldsAndReplacesTheRuleInPlace()
    {
        BudgetRule second;
        second.scope = BudgetScope::Session;
        second.match = QStringLiteral("agent-?");
        second.window = BudgetWindow::Hour;
        second.maxTokens = 50'000;
        second.overCap = BudgetOverCap::Refuse;
        BudgetRuleDialog dialog({existing(), second}, 1);
        QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("match"))->text(), QStringLiteral("agent-?"));
        QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("maxTokens"))->text(), QStringLiteral("50000"));
        QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("window"))->currentData().toString(), QStringLiteral("hour"));
        QCOMPARE(BudgetRule::listFromJson(dialog.listJson()).value(), (QList<BudgetRule>{existing(), second}));
        type(dialog, QStringLiteral("maxTokens"), QStringLiteral("60000"));
        const QList<BudgetRule> edited = BudgetRule::listFromJson(dialog.listJson()).value();
        QCOMPARE(edited.size(), 2);
        QCOMPARE(edited.at(1).maxTokens, std::optional<qint64>(60'000));
    }

    void escapeCancels()
    {
        BudgetRuleDialog dialog({}, 0);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(!dialog.isVisible());
    }

private:
    static void type(QDialog &dialog, const QString &field, const QString &text)
    {
        auto *edit = dialog.findChild<QLineEdit *>(field);
        QVERIFY2(edit, qPrintable(field));
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
        QCOMPARE(edit->text(), text);
    }

    static QPushButton *okButton(QDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    RunningGateway m_gateway;
};

QTEST_MAIN(tst_BudgetRuleDialog)
#include "tst_BudgetRuleDialog.moc"
