// The whole console end to end: the real window wired to a real gateway (on its own thread, the
// simulator answering) as tokenfuse-console wires it, driven as a user would. A session's
// "Set cap…" opens the Budgets dialog for it, and the cap set there refuses its next request over
// it (402) while other sessions go on; activating the session (double-click or Enter) shows its requests, and
// only its; the History page shows what was spent.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "MainWindow.h"
#include "budgets/BudgetRuleDialog.h"
#include "core/GatewayHost.h"
#include "history/HistoryModel.h"
#include "history/HistoryPage.h"
#include "requests/RequestLogModel.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPage.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

class tst_ConsoleWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QString error;
        m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir.path(), this, &error);
        QVERIFY2(m_host, qPrintable(error));
        m_window = std::make_unique<MainWindow>();
        m_window->setConfirmBulkActions(false);
        ConsoleWiring::connect(*m_host, *m_window);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_port = GatewayUnderTest::start(m_host);
        QVERIFY(m_port != 0);
        m_client = std::make_unique<GatewayClient>(m_port, m_dataDir.path());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_host->stop();
    }

    void aCapSetForASessionRefusesItsNextRequest()
    {
        QCOMPARE(request("cap-me"), 200);
        QCOMPARE(request("bystander"), 200);
        SessionsPage *sessions = m_window->sessionsPage();
        m_window->showPage(MainWindow::Page::Sessions);
        QTRY_VERIFY(sessions->selectSession(QStringLiteral("cap-me")));
        auto *capButton = sessions->findChild<QPushButton *>(QStringLiteral("sessionCapButton"));
        QVERIFY(capButton && capButton->isEnabled());
        QTest::mouseClick(capButton, Qt::LeftButton);

        QCOMPARE(m_window->currentPage(), MainWindow::Page::Budgets);
        BudgetRuleDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<BudgetRuleDialog *>()) && dialog->isVisible());
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("match"))->text(), QStringLiteral("cap-me"));
        QCOMPARE(dialog->findChild<QComboBox *>(QStringLiteral("scope"))->currentData().toString(), QStringLiteral("session"));
        auto *maxRequests = dialog->findChild<QLineEdit *>(QStringLiteral("maxRequests"));
        maxRequests->setFocus();
        QTest::keyClicks(maxRequests, QStringLiteral("1"));
        auto *overCap = dialog->findChild<QComboBox *>(QStringLiteral("overCap"));
        overCap->setCurrentIndex(overCap->findData(QStringLiteral("refuse")));
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY(!m_window->findChild<BudgetRuleDialog *>()); // closed once the gateway took the rule

        QCOMPARE(request("cap-me"), 200); // the rule's first request in its window
        QCOMPARE(request("cap-me"), 402);
        QCOMPARE(request("bystander"), 200);
    }

    void activatingASessionShowsItsRequests()
    {
        for (int i = 0; i < 3; ++i)
            QCOMPARE(request("reader"), 200);
        m_window->showPage(MainWindow::Page::Sessions);
        SessionsPage *sessions = m_window->sessionsPage();
        QTRY_VERIFY(sessions->selectSession(QStringLiteral("reader")));
        auto *table = sessions->findChild<QTableView *>(QStringLiteral("sessionsTable"));
        QVERIFY(table->currentIndex().isValid());
        // Enter on the selected row, as the keyboard does it (a double-click activates the same way).
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Return);

        QCOMPARE(m_window->currentPage(), MainWindow::Page::Requests);
        auto *requests = m_window->findChild<QTableView *>(QStringLiteral("requestsTable"));
        QTRY_COMPARE(requests->model()->rowCount(), 3);
        for (int row = 0; row < 3; ++row) {
            const QString session = requests->model()->index(row, RequestLogModel::Session).data().toString();
            QCOMPARE(session, QStringLiteral("reader"));
        }
    }

    void historyShowsWhatWasSpent()
    {
        m_window->showPage(MainWindow::Page::History);
        HistoryPage *history = m_window->historyPage();
        // Every request this test made (7 answered or refused) is in today's totals.
        QTRY_VERIFY_WITH_TIMEOUT(totalRequests(history->model()) >= 8, 10000);
        QVERIFY(history->totalsText().contains(QLatin1String("requests")));
    }

private:
    int request(const char *session)
    {
        HttpHeaders h;
        h.add("x-session-id", session);
        return m_client->call("/v1/chat/completions", R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]})", h).status;
    }

    static qint64 totalRequests(const HistoryModel *model)
    {
        qint64 n = 0;
        for (int row = 0; row < model->rowCount(); ++row)
            n += model->index(row, HistoryModel::RequestsColumn).data(HistoryModel::RawRole).toLongLong();
        return n;
    }

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<GatewayClient> m_client;
    quint16 m_port = 0;
};

QTEST_MAIN(tst_ConsoleWindow)
#include "tst_ConsoleWindow.moc"
