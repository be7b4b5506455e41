// The Upstreams page on a real gateway: two upstreams at two built-in simulators, one of which
// answers 503 to everything. After its failures the page shows its breaker open (reason in the
// tooltip) and the other closed, the Overview's timeline has a lane for it and the desktop is
// told where the traffic went. Without an upstream the page offers to add a provider.
#include "ConsoleWiring.h"
#include "MainWindow.h"
#include "RunningGateway.h"
#include "SimulatorThread.h"
#include "charts/StateTimeline.h"
#include "core/GatewayHost.h"
#include "overview/OverviewPage.h"
#include "tray/DesktopNotifier.h"
#include "upstreams/UpstreamDialog.h"
#include "upstreams/UpstreamsModel.h"
#include "upstreams/UpstreamsPage.h"
#include "admin/AdminChannel.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QStyleFactory>
#include <QTableView>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace {
constexpr int FailuresToOpen = 5; // UpstreamBreaker::Policy's default

QByteArray chat(int i)
{
    return QStringLiteral("{\"model\":\"m-1\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"question %1 about the upstreams page\"}]}")
        .arg(i * 7919)
        .toUtf8();
}

QJsonObject upstream(const QString &name, quint16 port, int priority)
{
    return {{"name", name}, {"base_url", QStringLiteral("http://127.0.0.1:%1/v1").arg(port)}, {"dialect", "openai"}, {"priority", priority}};
}

void configure(SimulatorThread &sim, int faultStatus)
{
    sim.run([faultStatus](SimulatorServer *s) {
        SimulatorProfile p = s->profile();
        p.faultStatus = faultStatus;
        p.ttftMs = 0;
        p.tokensPerSecond = 0;
        s->setProfile(p);
    });
}

QString shotPath(const QString &name)
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(name);
}
} // namespace

class tst_UpstreamsPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void simulatorOnlyShowsTheEmptyState();
    void oneBreakerOpensTheOtherStaysClosed();
    void aRowKeepsItsSelectionAcrossSnapshots();
    void testShowsWhatTheGatewayAnswered();

private:
    QString breakerOf(const QString &name) const;

    SimulatorThread m_dead;
    SimulatorThread m_live;
    RunningGateway m_gateway;
    std::unique_ptr<MainWindow> m_window;
    UpstreamsPage *m_page = nullptr;
    UpstreamsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
};

void tst_UpstreamsPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    configure(m_dead, 503);
    configure(m_live, 0);
    QJsonObject live = upstream(QStringLiteral("live"), m_live.port(), 1);
    live.insert("api_key", "sk-test-0123456789-abcdef-9876");
    QVERIFY(m_gateway.create(QJsonObject{{"upstreams", QJsonArray{upstream(QStringLiteral("dead"), m_dead.port(), 0), live}}}));
    m_window = std::make_unique<MainWindow>();
    m_window->setConfirmBulkActions(false);
    ConsoleWiring::connect(*m_gateway.host(), *m_window);
    m_window->showPage(MainWindow::Page::Upstreams);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY2(m_gateway.start(), qPrintable(m_gateway.error()));
    m_page = m_window->upstreamsPage();
    m_table = m_page->findChild<QTableView *>(QStringLiteral("upstreamsTable"));
    QVERIFY(m_table);
    m_model = qobject_cast<UpstreamsModel *>(m_table->model());
    QVERIFY(m_model);
}

QString tst_UpstreamsPage::breakerOf(const QString &name) const
{
    const int row = m_model->rowOf(name);
    return row < 0 ? QString() : m_model->index(row, UpstreamsModel::Breaker).data(UpstreamsModel::BreakerStateRole).toString();
}

void tst_UpstreamsPage::simulatorOnlyShowsTheEmptyState()
{
    // The page alone, told what a gateway with no upstream says.
    AdminChannel channel;
    UpstreamsPage page(&channel);
    page.resize(900, 520);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    GatewaySnapshot s;
    s.state = GatewaySnapshot::State::Running;
    s.simulatorOnly = true;
    page.applySnapshot(s);
    QVERIFY(page.showsEmptyState());
    auto *text = page.findChild<QLabel *>(QStringLiteral("upstreamsEmptyText"));
    QVERIFY(text && text->isVisible());
    QVERIFY(text->text().contains(QLatin1String("Add a provider")));
    auto *add = page.findChild<QPushButton *>(QStringLiteral("upstreamsEmptyAddButton"));
    QVERIFY(add && add->isVisible());
    QVERIFY(page.grab().save(shotPath(QStringLiteral("upstreams-empty.png"))));
    // Nothing selected: nothing to edit, test or remove.
    for (const char *name : {"upstreamEditButton", "upstreamEnableButton", "upstreamRemoveButton", "upstreamTestButton"})
        QVERIFY2(!page.findChild<QPushButton *>(QLatin1String(name))->isEnabled(), name);
    // Clicking Add asks for the presets.
    QSignalSpy calls(&channel, &AdminChannel::callRequested);
    QTest::mouseClick(add, Qt::LeftButton);
    QTRY_VERIFY(page.dialog());
    QCOMPARE(calls.count(), 1);
    QCOMPARE(calls.at(0).at(1).value<AdminCall>().path, QByteArray("/admin/v1/upstream-presets"));
    page.dialog()->reject();
}

void tst_UpstreamsPage::oneBreakerOpensTheOtherStaysClosed()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 2, 10000);
    QVERIFY(!m_page->showsEmptyState());
    QCOMPARE(breakerOf(QStringLiteral("dead")), QStringLiteral("closed"));
    // Each request tries the dead one first, gets its 503 and fails over to the live one.
    for (int i = 0; i < FailuresToOpen; ++i)
        QCOMPARE(m_gateway.client().call("/v1/chat/completions", chat(i)).status, 200);

    QTRY_COMPARE_WITH_TIMEOUT(breakerOf(QStringLiteral("dead")), QStringLiteral("open"), 10000);
    QCOMPARE(breakerOf(QStringLiteral("live")), QStringLiteral("closed"));
    const int deadRow = m_model->rowOf(QStringLiteral("dead"));
    const int liveRow = m_model->rowOf(QStringLiteral("live"));
    QCOMPARE(m_model->index(deadRow, UpstreamsModel::Breaker).data().toString(), QStringLiteral("Open"));
    const QString tip = m_model->index(deadRow, UpstreamsModel::Breaker).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1String("503")), qPrintable(tip));
    QTRY_VERIFY(m_model->upstreamAt(liveRow).requests >= FailuresToOpen);
    QCOMPARE(m_model->index(liveRow, UpstreamsModel::Key).data().toString(), QStringLiteral("sk-…9876 · config file"));
    QCOMPARE(m_model->index(liveRow, UpstreamsModel::ErrorRate).data().toString(), QStringLiteral("0%"));
    QCOMPARE(m_model->index(deadRow, UpstreamsModel::ErrorRate).data().toString(), QStringLiteral("100%"));

    // The details of the one down.
    QVERIFY(m_page->selectUpstream(QStringLiteral("dead")));
    auto *breaker = m_page->findChild<QLabel *>(QStringLiteral("upstreamDetail_breaker"));
    QVERIFY(breaker);
    QTRY_VERIFY2(breaker->text().startsWith(QLatin1String("Open since")), qPrintable(breaker->text()));
    QVERIFY2(breaker->text().contains(QLatin1String("503")), qPrintable(breaker->text()));

    // The desktop was told, with where the traffic goes.
    const auto told = [this] {
        const QList<DesktopNotifier::Notification> &recent = m_window->notifier()->recent();
        return std::find_if(recent.cbegin(), recent.cend(), [](const DesktopNotifier::Notification &n) {
            return n.kind == DesktopNotifier::Kind::UpstreamBreaker;
        });
    };
    QTRY_VERIFY(told() != m_window->notifier()->recent().cend());
    QCOMPARE(told()->title, QStringLiteral("Upstream dead is down"));
    QVERIFY2(told()->text.contains(QLatin1String("503")), qPrintable(told()->text));
    QVERIFY2(told()->text.endsWith(QLatin1String("Traffic goes to live.")), qPrintable(told()->text));

    QTest::qWait(0);
    const QPixmap shot = m_window->grab();
    QVERIFY(shot.save(shotPath(QStringLiteral("upstreams-page.png"))));

    // The Overview's state timeline has a lane for it, and none for the live one.
    m_window->showPage(MainWindow::Page::Overview);
    auto *timeline = m_window->overviewPage()->findChild<StateTimeline *>(QStringLiteral("stateTimeline"));
    QVERIFY(timeline);
    const auto laneOf = [timeline](const QString &label) {
        const QList<StateTimeline::Lane> lanes = timeline->lanes();
        return std::find_if(lanes.cbegin(), lanes.cend(), [&](const StateTimeline::Lane &l) { return l.label == label; }) != lanes.cend();
    };
    QTRY_VERIFY_WITH_TIMEOUT(laneOf(QStringLiteral("dead")), 5000);
    QVERIFY(!laneOf(QStringLiteral("live")));
    const StateTimeline::Lane lane = timeline->lanes().first();
    QCOMPARE(lane.kind, QStringLiteral("upstream"));
    QCOMPARE(lane.spans.last().state, StateTimeline::State::BreakerOpen);
    QCOMPARE(lane.spans.last().toMs, -1);
    QVERIFY(m_window->grab().save(shotPath(QStringLiteral("upstreams-overview.png"))));
    m_window->showPage(MainWindow::Page::Upstreams);
}

void tst_UpstreamsPage::aRowKeepsItsSelectionAcrossSnapshots()
{
    QVERIFY(m_page->selectUpstream(QStringLiteral("live")));
    QSignalSpy changes(m_model, &QAbstractItemModel::dataChanged);
    QSignalSpy resets(m_model, &QAbstractItemModel::modelReset);
    // Traffic changes the live row's figures while it stays selected.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_gateway.client().call("/v1/chat/completions", chat(100 + i)).status, 200);
    QTRY_VERIFY(changes.count() > 0);
    QCOMPARE(resets.count(), 0);
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data(UpstreamsModel::NameRole).toString(), QStringLiteral("live"));
    QCOMPARE(m_page->selectedUpstream(), QStringLiteral("live"));
    QCOMPARE(m_page->findChild<QPushButton *>(QStringLiteral("upstreamEnableButton"))->text(), QStringLiteral("Disable"));
}

void tst_UpstreamsPage::testShowsWhatTheGatewayAnswered()
{
    // Whatever the gateway answers (a result, or a refusal), the details show it, not "testing…".
    QVERIFY(m_page->selectUpstream(QStringLiteral("live")));
    auto *test = m_page->findChild<QPushButton *>(QStringLiteral("upstreamTestButton"));
    QVERIFY(test && test->isEnabled());
    QSignalSpy answered(m_window->adminChannel(), &AdminChannel::answered);
    QTest::mouseClick(test, Qt::LeftButton);
    QTRY_COMPARE(answered.count(), 1);
    QCOMPARE(answered.at(0).at(0).value<AdminCall>().path, QByteArray("/admin/v1/upstreams/live/test"));
    const QString result = m_page->testResult(QStringLiteral("live"));
    QVERIFY(!result.isEmpty());
    auto *field = m_page->findChild<QLabel *>(QStringLiteral("upstreamDetail_test"));
    QVERIFY(field);
    QCOMPARE(field->text(), result);
    QVERIFY(test->isEnabled());
}

QTEST_MAIN(tst_UpstreamsPage)
#include "tst_UpstreamsPage.moc"
