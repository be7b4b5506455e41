// The kill switch end to end: a real gateway on its own thread (the built-in simulator answering),
// the real console window wired to it as tokenfuse-console wires it, a client on a real socket.
// Clicking Kill on the session's row ends its stream with an error event and blocks the session;
// Resume lets it through again.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "MainWindow.h"
#include "core/GatewayHost.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPage.h"
#include "upstream/UpstreamCall.h"
#include "upstream/UpstreamClient.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {

const QString Session = QStringLiteral("agent-kill-me");

QByteArray chat(bool stream)
{
    return QJsonDocument(QJsonObject{{"model", "gpt-4o-mini"}, {"stream", stream},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "count to a thousand"}}}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class tst_SessionsKill : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void killEndsTheStreamAndBlocksTheSession();
    void stopAllRefusesEveryoneUntilResumeAll();

private:
    QModelIndex sessionCell(int column) const;
    void clickCell(const QModelIndex &index);

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<MainWindow> m_window;
    QTableView *m_table = nullptr;
    quint16 m_port = 0;
};

void tst_SessionsKill::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QString error;
    // No upstream: the built-in simulator answers every model.
    m_host = GatewayUnderTest::create(QJsonObject{}, m_dataDir.path(), this, &error);
    QVERIFY2(m_host, qPrintable(error));
    m_window = std::make_unique<MainWindow>();
    ConsoleWiring::connect(*m_host, *m_window);
    m_window->showPage(MainWindow::Page::Sessions);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_table = m_window->findChild<QTableView *>(QStringLiteral("sessionsTable"));
    QVERIFY(m_table);
    m_port = GatewayUnderTest::start(m_host);
    QVERIFY(m_port);
}

void tst_SessionsKill::cleanupTestCase()
{
    m_host->stop();
    m_window.reset();
}

QModelIndex tst_SessionsKill::sessionCell(int column) const
{
    QAbstractItemModel *model = m_table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, column);
        if (index.data(SessionsModel::SessionIdRole).toString() == Session)
            return index;
    }
    return {};
}

void tst_SessionsKill::clickCell(const QModelIndex &index)
{
    m_table->scrollTo(index);
    QTest::mouseClick(m_table->viewport(), Qt::LeftButton, {}, m_table->visualRect(index).center());
}

void tst_SessionsKill::killEndsTheStreamAndBlocksTheSession()
{
    // A stream slow enough to be in flight for minutes: 1,000 tokens at 5 a second.
    UpstreamClient client;
    UpstreamRequest r;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_port));
    r.body = chat(true);
    r.headers.add("content-type", "application/json");
    r.headers.add("x-session-id", Session.toUtf8());
    r.headers.add("x-sim-ttft-ms", "0");
    r.headers.add("x-sim-tokens-per-second", "5");
    r.headers.add("x-sim-completion-tokens", "1000");
    r.timeouts.totalMs = 120000;
    std::unique_ptr<UpstreamCall> stream(client.start(r));
    int status = 0;
    QByteArray body;
    bool ended = false;
    connect(stream.get(), &UpstreamCall::responseStarted, this, [&](int s, const HttpHeaders &) { status = s; });
    connect(stream.get(), &UpstreamCall::dataReceived, this, [&](const QByteArray &d) { body += d; });
    connect(stream.get(), &UpstreamCall::finished, this, [&] { ended = true; });
    connect(stream.get(), &UpstreamCall::failed, this, [&](UpstreamCall::Failure, const QString &) { ended = true; });

    // The session shows in the page, one request in flight, tokens arriving.
    QTRY_COMPARE_WITH_TIMEOUT(sessionCell(SessionsModel::InFlight).data().toString(), QStringLiteral("1"), 10000);
    QTRY_VERIFY(body.contains("data: {"));
    QCOMPARE(status, 200);
    QCOMPARE(sessionCell(SessionsModel::Action).data().toString(), QStringLiteral("Kill"));

    QSignalSpy done(m_host, &GatewayHost::commandDone);
    clickCell(sessionCell(SessionsModel::Action));
    QTRY_COMPARE(done.count(), 1);
    const auto command = done.at(0).at(0).value<SessionCommand>();
    const auto result = done.at(0).at(1).value<SessionCommandResult>();
    QCOMPARE(command.action, SessionCommand::Action::KillSession);
    QCOMPARE(command.target, Session);
    QVERIFY2(result.ok, qPrintable(result.message));
    QCOMPARE(result.cancelled, 1);
    auto *status_line = m_window->findChild<QLabel *>(QStringLiteral("sessionStatus"));
    QTRY_VERIFY2(status_line->text().contains(result.message), qPrintable(status_line->text()));

    // The stream ends at once with an OpenAI error event, and no [DONE].
    QTRY_VERIFY_WITH_TIMEOUT(ended, 5000);
    qInfo("the stream ended with: %s", body.right(body.size() - body.lastIndexOf("data: {\"error\"")).trimmed().constData());
    QVERIFY2(body.contains("data: {\"error\""), body.right(400).constData());
    QVERIFY2(body.contains("session_blocked"), body.right(400).constData());
    QVERIFY2(!body.contains("[DONE]"), body.right(400).constData());

    // The row turns Killed, its button Resume.
    QTRY_COMPARE(sessionCell(SessionsModel::State).data().toString(), QStringLiteral("Killed"));
    QCOMPARE(sessionCell(SessionsModel::Action).data().toString(), QStringLiteral("Resume"));
    QCOMPARE(sessionCell(SessionsModel::InFlight).data().toString(), QStringLiteral("0"));

    // The next request of the session is refused: 403 session_blocked, in OpenAI's shape.
    GatewayClient gateway(m_port, m_dataDir.path());
    HttpHeaders h;
    h.add("x-session-id", Session.toUtf8());
    h.add("x-sim-completion-tokens", "5");
    GatewayClient::Reply refused = gateway.call("/v1/chat/completions", chat(false), h);
    QCOMPARE(refused.status, 403);
    const QJsonObject error = QJsonDocument::fromJson(refused.body).object().value("error").toObject();
    QCOMPARE(error.value("code").toString(), QStringLiteral("session_blocked"));
    QVERIFY2(!error.value("message").toString().isEmpty(), refused.body.constData());
    // Another session is not affected.
    HttpHeaders other;
    other.add("x-session-id", "agent-bystander");
    other.add("x-sim-completion-tokens", "5");
    QCOMPARE(gateway.call("/v1/chat/completions", chat(false), other).status, 200);

    // Resume from the same button; the session's requests go through again.
    clickCell(sessionCell(SessionsModel::Action));
    QTRY_COMPARE(done.count(), 2);
    QCOMPARE(done.at(1).at(0).value<SessionCommand>().action, SessionCommand::Action::ResumeSession);
    QVERIFY2(done.at(1).at(1).value<SessionCommandResult>().ok, qPrintable(done.at(1).at(1).value<SessionCommandResult>().message));
    GatewayClient::Reply again = gateway.call("/v1/chat/completions", chat(false), h);
    QCOMPARE(again.status, 200);
    QTRY_COMPARE(sessionCell(SessionsModel::State).data().toString(), QStringLiteral("Active"));
    QCOMPARE(sessionCell(SessionsModel::Action).data().toString(), QStringLiteral("Kill"));
}

void tst_SessionsKill::stopAllRefusesEveryoneUntilResumeAll()
{
    m_window->sessionsPage()->setConfirmBulkActions(false);
    auto *button = m_window->findChild<QPushButton *>(QStringLiteral("stopAllButton"));
    QVERIFY(button);
    QCOMPARE(button->text(), QStringLiteral("Stop all"));
    QSignalSpy done(m_host, &GatewayHost::commandDone);
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).value<SessionCommand>().action, SessionCommand::Action::StopAll);
    QVERIFY(done.at(0).at(1).value<SessionCommandResult>().ok);
    // The next snapshot says the gateway is stopped: the button offers the way back.
    QTRY_COMPARE(button->text(), QStringLiteral("Resume all"));

    GatewayClient gateway(m_port, m_dataDir.path());
    HttpHeaders h;
    h.add("x-session-id", "agent-anyone");
    h.add("x-sim-completion-tokens", "5");
    GatewayClient::Reply refused = gateway.call("/v1/chat/completions", chat(false), h);
    QCOMPARE(refused.status, 403);
    QCOMPARE(QJsonDocument::fromJson(refused.body).object().value("error").toObject().value("code").toString(),
             QStringLiteral("session_blocked"));

    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE(done.count(), 2);
    QCOMPARE(done.at(1).at(0).value<SessionCommand>().action, SessionCommand::Action::ResumeAll);
    QTRY_COMPARE(button->text(), QStringLiteral("Stop all"));
    QCOMPARE(gateway.call("/v1/chat/completions", chat(false), h).status, 200);
}

QTEST_MAIN(tst_SessionsKill)
#include "tst_SessionsKill.moc"
