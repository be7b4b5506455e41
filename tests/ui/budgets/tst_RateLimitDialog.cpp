// RateLimitDialog: each bad input shows, word for word, the message a real gateway's admin API
// answers for the same list, with OK disabled; a good one submits the whole list.
#include "GatewayClient.h"
#include "RunningGateway.h"
#include "budgets/RateLimitDialog.h"
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

class tst_RateLimitDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    }

    void aBadInputShowsTheAdminApisMessage_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("startsWith");
        QTest::newRow("rpm zero") << "rpm" << "0" << "rate_limits[0].rpm:";
        QTest::newRow("rpm text") << "rpm" << "fast" << "rate_limits[0].rpm:";
        QTest::newRow("tpm negative") << "tpm" << "-1" << "rate_limits[0].tpm:";
        QTest::newRow("concurrency fraction") << "concurrency" << "1.5" << "rate_limits[0].concurrency:";
        QTest::newRow("no limit") << "rpm" << "" << "rate_limits[0]: needs at least one of rpm, tpm, concurrency";
        QTest::newRow("empty match") << "match" << "" << "rate_limits[0].match:";
    }

    void aBadInputShowsTheAdminApisMessage()
    {
        QFETCH(QString, field);
        QFETCH(QString, typed);
        QFETCH(QString, startsWith);
        RateLimitDialog dialog({}, 0);
        dialog.show();
        type(dialog, QStringLiteral("rpm"), QStringLiteral("60"));
        type(dialog, field, typed);
        auto *error = dialog.findChild<QLabel *>(QStringLiteral("error"));
        QVERIFY2(error->text().startsWith(startsWith), qPrintable(error->text()));
        QVERIFY(!okButton(dialog)->isEnabled());
        const GatewayClient::Reply reply = m_gateway.client().admin("PUT", "rate_limits", dialog.listJson());
        QCOMPARE(reply.status, 400);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object().value("error").toObject().value("message").toString(), error->text());
    }

    void aGoodRuleSubmitsTheWholeList()
    {
        RateLimitRule first;
        first.rpm = 600;
        RateLimitDialog dialog({first}, 1);
        dialog.show();
        auto *scope = dialog.findChild<QComboBox *>(QStringLiteral("scope"));
        scope->setCurrentIndex(scope->findData(QStringLiteral("tenant")));
        type(dialog, QStringLiteral("match"), QStringLiteral("ci-*"));
        type(dialog, QStringLiteral("tpm"), QStringLiteral("200000"));
        type(dialog, QStringLiteral("concurrency"), QStringLiteral("4"));
        QVERIFY(okButton(dialog)->isEnabled());
        QSignalSpy submitted(&dialog, &RateLimitDialog::submitted);
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(submitted.count(), 1);
        const QList<RateLimitRule> rules = RateLimitRule::listFromJson(submitted.at(0).at(0).toJsonArray()).value();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0), first);
        QCOMPARE(rules.at(1).scope, BudgetScope::Tenant);
        QCOMPARE(rules.at(1).match, QStringLiteral("ci-*"));
        QCOMPARE(rules.at(1).tpm, std::optional<qint64>(200'000));
        QCOMPARE(rules.at(1).concurrency, std::optional<qint64>(4));
        QCOMPARE(rules.at(1).rpm, std::nullopt);
    }

private:
    static void type(QDialog &dialog, const QString &field, const QString &text)
    {
        auto *edit = dialog.findChild<QLineEdit *>(field);
        QVERIFY2(edit, qPrintable(field));
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
    }

    static QPushButton *okButton(QDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    RunningGateway m_gateway;
};

QTEST_MAIN(tst_RateLimitDialog)
#include "tst_RateLimitDialog.moc"
