// The kill switch end to end: a real gateway on its own thread (the built-in simulator answering),
// the real console window wired to it as tokenfuse-console wires it, a client on a real socket.
// Clicking Kill on the session's row ends its stream with an error event and blocks the session;
// Resume lets it through again.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "SessionsTableDriver.h"
#include "MainWindow.h"
#include "core/GatewayHost.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPage.h"
#include "widgets/StateBanner.h"
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

QByteArray chat(bool stream)
{
    return QJsonDocument(QJsonObject{{"model", "gpt-4o-mini"}, {"stream", stream},
                                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "count to a thousand"}}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray messages(bool stream)
{
    return QJsonDocument(QJsonObject{{"model", "claude-sonnet-4"}, {"stream", stream}, {"max_tokens", 2000},
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
    void killEndsTheStreamAndBlocksTheSession_data();
    void killEndsTheStreamAndBlocksTheSession();
    void stopAllRefusesEveryoneUntilResumeAll();
    void aLoopTripShowsItsBannerAndRow();

private:
    QModelIndex sessionCell(int column) const;
    void clickCell(const QModelIndex &index);

    QTemporaryDir m_dataDir;
    GatewayHost *m_host = nullptr;
    std::unique_ptr<MainWindow> m_window;
    QTableView *m_table = nullptr;
    quint16 m_port = 0;
    QString m_session; // the session the current test drives
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
    return SessionsTableDriver::cell(m_table, m_session, column);
}

void tst_SessionsKill::clickCell(const QModelIndex &index)
{
    SessionsTableDriver::click(m_table, index);
}

void tst_SessionsKill::killEndsTheStreamAndBlocksTheSession_data()
{
    QTest::addColumn<QString>("session");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("openai") << QStringLiteral("agent-kill-me") << QByteArray("/v1/chat/completions") << false;
    QTest::newRow("anthropic") << QStringLiteral("agent-kill-me-too") << QByteArray("/v1/messages") << true;
}

void tst_SessionsKill::killEndsTheStreamAndBlocksTheSession()
{
    QFETCH(QString, session);
    QFETCH(QByteArray, path);
    QFETCH(bool, anthropic);
    m_session = session;
    const QString Session = session;
    const auto body_ = [anthropic](bool stream) { return anthropic ? messages(stream) : chat(stream); };
    // A stream slow enough to be in flight for minutes: 1,000 tokens at 5 a second.
    UpstreamClient client;
    UpstreamRequest r;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(QString::fromLatin1(path)));
    r.body = body_(true);
    r.headers.add("content-type", "application/json");
    if (anthropic)
        r.headers.add("anthropic-version", "2023-06-01");
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

    // The stream ends at once with its dialect's error event: OpenAI a `data: {"error":...}` and no
    // [DONE], Anthropic an `event: error` and no message_stop.
    QTRY_VERIFY_WITH_TIMEOUT(ended, 5000);
    const QByteArray errorEvent = anthropic ? QByteArray("event: error\ndata: {") : QByteArray("data: {\"error\"");
    const qsizetype at = body.lastIndexOf(errorEvent);
    QVERIFY2(at >= 0, body.right(1200).constData());
    qInfo("the stream ended with: %s", body.mid(at).trimmed().constData());
    QVERIFY2(body.mid(at).contains(anthropic ? "permission_error" : "session_blocked"), body.mid(at).constData());
    QVERIFY2(body.mid(at).contains("is blocked: killed by console"), body.mid(at).constData());
    QVERIFY2(!body.contains(anthropic ? "message_stop" : "[DONE]"), body.right(400).constData());

    // The row turns Killed, its button Resume.
    QTRY_COMPARE(sessionCell(SessionsModel::State).data().toString(), QStringLiteral("Killed"));
    QCOMPARE(sessionCell(SessionsModel::Action).data().toString(), QStringLiteral("Resume"));
    QCOMPARE(sessionCell(SessionsModel::InFlight).data().toString(), QStringLiteral("0"));
    // Its details say so, with what it had spent when it was killed.
    clickCell(sessionCell(SessionsModel::Session));
    QCOMPARE(m_window->sessionsPage()->selectedSession(), Session);
    auto *state = m_window->findChild<QLabel *>(QStringLiteral("sessionDetail_state"));
    auto *costAtTrip = m_window->findChild<QLabel *>(QStringLiteral("sessionDetail_costAtTrip"));
    QVERIFY2(state->text().startsWith(QStringLiteral("killed since ")), qPrintable(state->text()));
    QVERIFY2(costAtTrip->isVisibleTo(m_window.get()) && costAtTrip->text().startsWith(QLatin1Char('$')), qPrintable(costAtTrip->text()));

    // The next request of the session is refused: 403 session_blocked, in the dialect's shape.
    GatewayClient gateway(m_port, m_dataDir.path());
    HttpHeaders h;
    h.add("x-session-id", Session.toUtf8());
    h.add("x-sim-completion-tokens", "5");
    if (anthropic)
        h.add("anthropic-version", "2023-06-01");
    GatewayClient::Reply refused = gateway.call(path, body_(false), h);
    QCOMPARE(refused.status, 403);
    const QJsonObject error = QJsonDocument::fromJson(refused.body).object().value("error").toObject();
    if (anthropic)
        QCOMPARE(error.value("type").toString(), QStringLiteral("permission_error"));
    else
        QCOMPARE(error.value("code").toString(), QStringLiteral("session_blocked"));
    QVERIFY2(error.value("message").toString().contains(QStringLiteral("Session %1 is blocked").arg(Session)), refused.body.constData());
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
    GatewayClient::Reply again = gateway.call(path, body_(false), h);
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

void tst_SessionsKill::aLoopTripShowsItsBannerAndRow()
{
    m_session = QStringLiteral("ui-loop");
    GatewayClient gateway(m_port, m_dataDir.path());
    HttpHeaders h;
    h.add("x-session-id", m_session.toUtf8());
    h.add("x-sim-completion-tokens", "8");
    h.add("x-sim-tokens-per-second", "5000");
    // The same request again and again, as a stuck agent sends it, until the loop detector trips.
    int status = 200;
    for (int i = 0; i < 30 && status == 200; ++i)
        status = gateway.call("/v1/chat/completions", chat(false), h).status;
    QCOMPARE(status, 403);
    auto *banner = m_window->findChild<StateBanner *>(QStringLiteral("sessionTripBanner"));
    QVERIFY(banner);
    QTRY_VERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(m_session), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QLatin1String("near-identical")), qPrintable(banner->text()));
    QTRY_COMPARE(sessionCell(SessionsModel::State).data().toString(), QStringLiteral("Tripped"));
    // The row's Resume lets it through again.
    clickCell(sessionCell(SessionsModel::Action));
    QTRY_COMPARE(sessionCell(SessionsModel::State).data().toString(), QStringLiteral("Active"));
    QCOMPARE(gateway.call("/v1/chat/completions", chat(false), h).status, 200);
}

QTEST_MAIN(tst_SessionsKill)
#include "tst_SessionsKill.moc"
