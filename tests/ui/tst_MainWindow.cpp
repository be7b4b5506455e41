#include "MainWindow.h"
#include "widgets/StateBanner.h"
#include "overview/OverviewPage.h"
#include "requests/RequestsPage.h"
#include "tray/DesktopNotifier.h"
#include "widgets/StopAllButton.h"
#include "sessions/SessionsPage.h"
#include "upstreams/UpstreamsPage.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStyleFactory>
#include <QTest>
#include <QThread>

#include <cmath>

// Emits snapshots from whatever thread it lives in, as the gateway does from its own thread.
class SnapshotSource : public QObject
{
    Q_OBJECT
signals:
    void published(const GatewaySnapshot &snapshot);
};

class tst_MainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void titleAndSize();
    void stateTexts_data();
    void stateTexts();
    void copiesBaseUrl();
    void storeProblemShowsInHeader();
    void bannerOnlyWhenSimulatorOnly();
    void budgetAlertShowsItsMessage();
    void queuedDeliveryFromAnotherThread();
    void screenshot();
    void narrowWindowShowsFailure();
    void pagesFromTheList();
    void theSimulatorBannerLeadsToConnect();
    void stopAllIsInTheHeaderOnEveryPage();
    void killsFromElsewhereAreNotified();
    void aSessionsRequestsAreADoubleClickAway();
    void theSimulatorBannerLeadsToUpstreams();
    void anUpstreamBreakerOpeningIsNotified();

private:
    static QString text(const QWidget &root, const char *objectName);
};

namespace {

constexpr qint64 T0 = 1'700'000'000'000;

GatewaySnapshot running()
{
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    s.listenAddress = QStringLiteral("127.0.0.1:8400");
    s.upstreams = {QStringLiteral("deepseek"), QStringLiteral("anthropic")};
    s.takenAtMs = T0;
    return s;
}

} // namespace

void tst_MainWindow::budgetAlertShowsItsMessage()
{
    MainWindow window;
    window.show();
    auto *banner = window.findChild<StateBanner *>(QStringLiteral("budgetAlertBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());
    window.showBudgetAlert(QStringLiteral("tenant * per day"), QStringLiteral("acme"), 0.8,
                           QStringLiteral("Budget 'tenant * per day' for acme is at 80 %"));
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->kind(), StateBanner::Kind::Warning);
    QVERIFY(banner->text().contains(QStringLiteral("80 %")));
    window.showBudgetAlert(QStringLiteral("tenant * per day"), QStringLiteral("acme"), 1.0, QStringLiteral("cap reached"));
    QCOMPARE(banner->kind(), StateBanner::Kind::Error);
    QCOMPARE(banner->text(), QStringLiteral("cap reached"));
}

QString tst_MainWindow::text(const QWidget &root, const char *objectName)
{
    const auto *label = root.findChild<QLabel *>(QLatin1String(objectName));
    if (!label) {
        qWarning("no label named %s", objectName);
        return QStringLiteral("<missing>");
    }
    return label->text();
}

void tst_MainWindow::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
}

void tst_MainWindow::titleAndSize()
{
    MainWindow window;
    QCOMPARE(window.windowTitle(), QStringLiteral("TokenFuse"));
    QCOMPARE(window.size(), QSize(1180, 780));
}

void tst_MainWindow::stateTexts_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("copyEnabled");

    QTest::newRow("starting") << int(GatewaySnapshot::State::Starting) << "" << "" << "Starting…" << false;
    QTest::newRow("running") << int(GatewaySnapshot::State::Running) << "127.0.0.1:8400" << ""
                             << "Running on http://127.0.0.1:8400/v1" << true;
    QTest::newRow("running on any address") << int(GatewaySnapshot::State::Running) << "0.0.0.0:9000" << ""
                                            << "Running on http://127.0.0.1:9000/v1" << true;
    QTest::newRow("failed") << int(GatewaySnapshot::State::Failed) << "127.0.0.1:8400"
                            << "127.0.0.1:8400 is already in use" << "Failed: 127.0.0.1:8400 is already in use" << true;
    QTest::newRow("failed, no reason") << int(GatewaySnapshot::State::Failed) << "" << "" << "Failed" << false;
    QTest::newRow("stopped") << int(GatewaySnapshot::State::Stopped) << "" << "" << "Stopped" << false;
}

void tst_MainWindow::stateTexts()
{
    QFETCH(int, state);
    QFETCH(QString, listen);
    QFETCH(QString, error);
    QFETCH(QString, expected);
    QFETCH(bool, copyEnabled);

    MainWindow window;
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State(state);
    s.listenAddress = listen;
    s.error = error;
    window.applySnapshot(s);
    QCOMPARE(text(window, "gatewayStateLabel"), expected);
    auto *copy = window.findChild<QPushButton *>(QStringLiteral("copyBaseUrlButton"));
    QVERIFY(copy);
    QCOMPARE(copy->isEnabled(), copyEnabled);
}

void tst_MainWindow::storeProblemShowsInHeader()
{
    MainWindow window;
    GatewaySnapshot s = running();
    s.storeProblem = QStringLiteral("/data/tokenfuse.db: COMMIT: database or disk is full");
    window.applySnapshot(s);
    const QString shown = text(window, "gatewayStateLabel");
    QVERIFY2(shown.contains(QLatin1String("usage store cannot write")) && shown.contains(QLatin1String("disk is full")), qPrintable(shown));
    window.resize(1100, 720);
    const QString path = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("main-window-store-problem.png"));
    QVERIFY2(window.grab().save(path), qPrintable(path));
    // Gone again once the store writes.
    s.storeProblem.clear();
    window.applySnapshot(s);
    QCOMPARE(text(window, "gatewayStateLabel"), QStringLiteral("Running on http://127.0.0.1:8400/v1"));
}

void tst_MainWindow::copiesBaseUrl()
{
    MainWindow window;
    window.applySnapshot(running());
    auto *copy = window.findChild<QPushButton *>(QStringLiteral("copyBaseUrlButton"));
    QVERIFY(copy);
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("http://127.0.0.1:8400/v1"));
    QCOMPARE(copy->text(), QStringLiteral("Copied"));
    QTRY_COMPARE(copy->text(), QStringLiteral("Copy base URL"));
}

void tst_MainWindow::bannerOnlyWhenSimulatorOnly()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *banner = window.findChild<QWidget *>(QStringLiteral("simulatorBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());

    GatewaySnapshot s = running();
    s.simulatorOnly = true;
    s.upstreams.clear();
    window.applySnapshot(s);
    QVERIFY(banner->isVisible());
    QVERIFY(text(*banner, "bannerText").startsWith(QStringLiteral("No upstream configured: every model is answered by the built-in simulator.")));

    s.simulatorOnly = false;
    window.applySnapshot(s);
    QVERIFY(!banner->isVisible());
}

void tst_MainWindow::queuedDeliveryFromAnotherThread()
{
    MainWindow window;
    QThread gatewayThread;
    SnapshotSource source;
    source.moveToThread(&gatewayThread);
    connect(&source, &SnapshotSource::published, &window, &MainWindow::applySnapshot, Qt::QueuedConnection);
    gatewayThread.start();

    QThread *emittedFrom = nullptr;
    GatewaySnapshot s = running();
    s.requestsTotal = 77;
    QMetaObject::invokeMethod(&source, [&] {
        emittedFrom = QThread::currentThread();
        emit source.published(s);
    }, Qt::QueuedConnection);

    QTRY_COMPARE(text(window, "requestsValue"), QStringLiteral("77"));
    QCOMPARE(emittedFrom, &gatewayThread);
    QCOMPARE(text(window, "gatewayStateLabel"), QStringLiteral("Running on http://127.0.0.1:8400/v1"));

    gatewayThread.quit();
    QVERIFY(gatewayThread.wait(5000));
}

void tst_MainWindow::screenshot()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Four minutes of a first run on the simulator: a few agents at work, one burst of activity.
    GatewaySnapshot s = running();
    s.simulatorOnly = true;
    s.upstreams.clear();
    double owedRequests = 0.0;
    const int snapshots = 4 * 60 * 4;
    for (int i = 0; i < snapshots; ++i) {
        const double t = i / 4.0;
        const double burst = 5.0 * std::exp(-std::pow((t - 150.0) / 12.0, 2.0));
        const double perSecond = 3.0 + 1.5 * std::sin(t / 23.0) + std::sin(t / 7.0) * 0.6 + burst;
        owedRequests += perSecond / 4.0;
        const qint64 requests = qint64(owedRequests);
        owedRequests -= double(requests);
        const qint64 tokens = requests * (300 + 25 * ((i * 7) % 5));
        s.takenAtMs = T0 + i * 250;
        s.requestsDelta = requests;
        s.tokensDelta = tokens;
        s.requestsTotal += requests;
        s.requestsFailed += (i % 97 == 0) ? 1 : 0;
        s.promptTokens += tokens * 7 / 10;
        s.completionTokens += tokens - tokens * 7 / 10;
        s.costMicros += tokens * 2; // about $2 per million tokens
        s.inFlight = int(2 + i % 4);
        s.openConnections = 6;
        s.latencyP50Ms = 380 + i % 60;
        s.latencyP99Ms = 1900 + (i % 13) * 40;
        window.applySnapshot(s);
    }
    window.overviewPage()->redraw();
    QCoreApplication::processEvents();

    const QPixmap pixmap = window.grab();
    QCOMPARE(pixmap.size(), window.size() * pixmap.devicePixelRatio());
    const QString path = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("main-window.png"));
    QVERIFY2(pixmap.save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));

    const QImage image = pixmap.toImage();
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 16, qPrintable(QStringLiteral("only %1 distinct colours").arg(colours.size())));
}

void tst_MainWindow::narrowWindowShowsFailure()
{
    MainWindow window;
    window.show();
    window.resize(window.minimumSize());
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    GatewaySnapshot s = running();
    s.state = GatewaySnapshot::State::Failed;
    s.simulatorOnly = true;
    s.error = QStringLiteral("could not listen on 127.0.0.1:8400: the address is already in use "
                             "(is another TokenFuse running?)");
    s.requestsTotal = 1'234'567;
    s.promptTokens = 987'654'321;
    s.completionTokens = 123'456'789;
    s.costMicros = 12'345'678'901;
    s.requestsFailed = 4321;
    window.applySnapshot(s);
    QCoreApplication::processEvents();
    window.resize(window.minimumSizeHint());
    QCoreApplication::processEvents();
    const QPixmap pixmap = window.grab();
    QVERIFY(pixmap.save(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("main-window-narrow.png"))));

    // Every figure fits its tile even at the smallest window size.
    for (const char *name : {"spendTodayValue", "requestsValue", "tokensValue", "failuresValue", "inFlightValue", "sessionsValue",
                             "requestsDetail", "tokensDetail", "failuresDetail"}) {
        auto *label = window.findChild<QLabel *>(QLatin1String(name));
        QVERIFY(label);
        QVERIFY2(label->width() >= label->sizeHint().width(), name);
    }
    QVERIFY2(window.width() <= 900, qPrintable(QString::number(window.width())));
}

void tst_MainWindow::pagesFromTheList()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *list = window.findChild<QListWidget *>(QStringLiteral("pageList"));
    auto *pages = window.findChild<QStackedWidget *>(QStringLiteral("pages"));
    QVERIFY(list && pages);
    QCOMPARE(list->count(), MainWindow::PageCount);
    QCOMPARE(window.currentPage(), MainWindow::Page::Overview);
    QCOMPARE(pages->currentWidget()->objectName(), QStringLiteral("overviewPage"));

    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(1)).center());
    QCOMPARE(window.currentPage(), MainWindow::Page::Sessions);
    QCOMPARE(pages->currentWidget(), window.sessionsPage());
    // The header stays above every page.
    QVERIFY(window.findChild<QWidget *>(QStringLiteral("gatewayHeader"))->isVisible());

    // The page's kill switches leave the window as its own signal, for the composition root.
    QSignalSpy commands(&window, &MainWindow::commandRequested);
    Q_EMIT window.sessionsPage()->commandRequested(SessionCommand::killSession(QStringLiteral("agent-7")));
    QCOMPARE(commands.count(), 1);
    QCOMPARE(commands.at(0).at(0).value<SessionCommand>().target, QStringLiteral("agent-7"));

    // Every page is a row of the list and a Ctrl+number away.
    for (int i = 0; i < MainWindow::PageCount; ++i) {
        QTest::keyClick(&window, Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
        QCOMPARE(int(window.currentPage()), i);
        QCOMPARE(list->currentRow(), i);
        QCOMPARE(MainWindow::pageFromKey(MainWindow::pageKey(MainWindow::Page(i))), MainWindow::Page(i));
    }
    QCOMPARE(MainWindow::pageFromKey(QStringLiteral("Requests")), MainWindow::Page::Requests);
    QVERIFY(!MainWindow::pageFromKey(QStringLiteral("nowhere")));

    window.showPage(MainWindow::Page::Overview);
    QCOMPARE(list->currentRow(), 0);
}

void tst_MainWindow::theSimulatorBannerLeadsToConnect()
{
    MainWindow window;
    window.show();
    GatewaySnapshot s = running();
    s.simulatorOnly = true;
    window.applySnapshot(s);
    auto *button = window.findChild<QPushButton *>(QStringLiteral("connectAgentButton"));
    QVERIFY(button && button->isVisible());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(window.currentPage(), MainWindow::Page::Connect);
}

void tst_MainWindow::stopAllIsInTheHeaderOnEveryPage()
{
    MainWindow window;
    window.setConfirmBulkActions(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy commands(&window, &MainWindow::commandRequested);
    StopAllButton *button = window.stopAllButton();
    for (int i = 0; i < MainWindow::PageCount; ++i) {
        window.showPage(MainWindow::Page(i));
        QVERIFY(button->isVisible());
    }
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(commands.count(), 1);
    QCOMPARE(commands.at(0).at(0).value<SessionCommand>().action, SessionCommand::Action::StopAll);
    GatewaySnapshot s = running();
    s.stoppedAll = true;
    window.applySnapshot(s);
    QCOMPARE(button->text(), QStringLiteral("Resume all"));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(commands.at(1).at(0).value<SessionCommand>().action, SessionCommand::Action::ResumeAll);
}

void tst_MainWindow::killsFromElsewhereAreNotified()
{
    MainWindow window;
    const auto killed = [](const QString &id) {
        SessionView v;
        v.id = id;
        v.tenant = QStringLiteral("acme");
        v.state = SessionView::State::Killed;
        v.blockedBy = SessionView::BlockedBy::Session;
        v.reason = QStringLiteral("killed by admin-api");
        return v;
    };
    GatewaySnapshot s = running();
    s.sessions = {killed(QStringLiteral("old"))};
    window.applySnapshot(s); // killed before this console started: old news
    QCOMPARE(window.notifier()->recent().size(), 0);

    // Killed here: the user knows.
    Q_EMIT window.sessionsPage()->commandRequested(SessionCommand::killSession(QStringLiteral("mine")));
    s.sessions.append(killed(QStringLiteral("mine")));
    window.applySnapshot(s);
    QCOMPARE(window.notifier()->recent().size(), 0);

    // Killed through the admin API: news.
    s.sessions.append(killed(QStringLiteral("theirs")));
    window.applySnapshot(s);
    QCOMPARE(window.notifier()->recent().size(), 1);
    QCOMPARE(window.notifier()->recent().first().kind, DesktopNotifier::Kind::SessionKilled);
    QCOMPARE(window.notifier()->recent().first().key, QStringLiteral("theirs"));
    window.applySnapshot(s); // still killed: not news again
    QCOMPARE(window.notifier()->recent().size(), 1);

    // A trip and a budget alert are notified too.
    window.showSessionTrip({QStringLiteral("loop-1")}, QStringLiteral("repetition"), QStringLiteral("10 alike"), false);
    window.showBudgetAlert(QStringLiteral("global per day"), QString(), 0.8, QStringLiteral("80% of today's cap"));
    QCOMPARE(window.notifier()->recent().size(), 3);
}

void tst_MainWindow::aSessionsRequestsAreADoubleClickAway()
{
    MainWindow window;
    window.show();
    Q_EMIT window.sessionsPage()->requestsWanted(QStringLiteral("agent-7"));
    QCOMPARE(window.currentPage(), MainWindow::Page::Requests);
}

void tst_MainWindow::theSimulatorBannerLeadsToUpstreams()
{
    MainWindow window;
    window.show();
    GatewaySnapshot s = running();
    s.simulatorOnly = true;
    window.applySnapshot(s);
    auto *button = window.findChild<QPushButton *>(QStringLiteral("addProviderButton"));
    QVERIFY(button && button->isVisible());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(window.currentPage(), MainWindow::Page::Upstreams);
    QVERIFY(window.upstreamsPage()->showsEmptyState());
    QCOMPARE(MainWindow::pageKey(MainWindow::Page::Upstreams), QStringLiteral("upstreams"));
}

void tst_MainWindow::anUpstreamBreakerOpeningIsNotified()
{
    MainWindow window;
    const auto view = [](const QString &name, const QString &breaker) {
        UpstreamView v;
        v.name = name;
        v.dialect = QStringLiteral("openai");
        v.breaker = breaker;
        return v;
    };
    GatewaySnapshot s = running();
    s.upstreamViews = {view(QStringLiteral("deepseek"), QStringLiteral("open")), view(QStringLiteral("openrouter"), QStringLiteral("closed"))};
    window.applySnapshot(s);
    QSignalSpy notified(window.notifier(), &DesktopNotifier::notified);
    const auto transition = [](const QString &model, const QString &from, const QString &to) {
        return UpstreamTransitionView{QStringLiteral("deepseek"), model, from, to, T0, QStringLiteral("5 failures in a row (last: 503)")};
    };
    // A model's own breaker, a closing and a re-opening after a failed probe are not news.
    window.showUpstreamBreaker(transition(QStringLiteral("deepseek-reasoner"), QStringLiteral("closed"), QStringLiteral("open")));
    window.showUpstreamBreaker(transition(QString(), QStringLiteral("half_open"), QStringLiteral("closed")));
    window.showUpstreamBreaker(transition(QString(), QStringLiteral("half_open"), QStringLiteral("open")));
    QCOMPARE(notified.count(), 0);
    window.showUpstreamBreaker(transition(QString(), QStringLiteral("closed"), QStringLiteral("open")));
    QCOMPARE(notified.count(), 1);
    const DesktopNotifier::Notification n = window.notifier()->recent().last();
    QCOMPARE(n.kind, DesktopNotifier::Kind::UpstreamBreaker);
    QCOMPARE(n.title, QStringLiteral("Upstream deepseek is down"));
    QCOMPARE(n.text, QStringLiteral("5 failures in a row (last: 503). Traffic goes to openrouter."));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_MainWindow.moc"
