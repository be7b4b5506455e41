// The Sessions page as a user works it: buttons, filter, selection, Stop all, and how it looks.
#include "MainWindow.h"
#include "SessionSamples.h"
#include "SessionsTableDriver.h"
#include "sessions/SessionsModel.h"
#include "sessions/SessionsPage.h"
#include "widgets/StateBanner.h"
#include "ConsolePalette.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace SessionSamples;
using S = SessionView::State;

class tst_SessionsPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void killButtonEmitsKill();
    void resumeButtonOnStoppedRows();
    void stopAllAsksFirst();
    void resumeAllWhileStopped();
    void killTenantFromContextMenu();
    void filterByTextAndState();
    void sortsNumericallyByHeader();
    void selectionAndDetailsSurviveSnapshots();
    void rowsHoldStillUnderThePointer();
    void commandResultOnStatusLine();
    void tripBannerShowsTheSession();
    void screenshots_data();
    void screenshots();
    void applySnapshotCost_data();
    void applySnapshotCost();

private:
    static QTableView *table(QWidget &root) { return root.findChild<QTableView *>(QStringLiteral("sessionsTable")); }
    static QModelIndex cell(QTableView *view, const QString &id, int column) { return SessionsTableDriver::cell(view, id, column); }
    static void clickCell(QTableView *view, const QModelIndex &index) { SessionsTableDriver::click(view, index); }
    static SessionCommand command(const QSignalSpy &spy, int i) { return spy.at(i).at(0).value<SessionCommand>(); }
};

void tst_SessionsPage::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(QApplication::style()->standardPalette());
}

void tst_SessionsPage::killButtonEmitsKill()
{
    SessionsPage page;
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(snapshotOf(everyState()));
    QSignalSpy commands(&page, &SessionsPage::commandRequested);

    QTableView *view = table(page);
    const QModelIndex button = cell(view, QStringLiteral("agent-refactor"), SessionsModel::Action);
    QVERIFY(button.isValid());
    QCOMPARE(button.data().toString(), QStringLiteral("Kill"));
    clickCell(view, button);
    QCOMPARE(commands.count(), 1);
    QCOMPARE(command(commands, 0).action, SessionCommand::Action::KillSession);
    QCOMPARE(command(commands, 0).target, QStringLiteral("agent-refactor"));

    // Elsewhere on the row selects it and sends nothing.
    clickCell(view, cell(view, QStringLiteral("agent-docs"), SessionsModel::Cost));
    QCOMPARE(commands.count(), 1);
    QCOMPARE(page.selectedSession(), QStringLiteral("agent-docs"));
    // A throttled session is still running: Kill.
    clickCell(view, cell(view, QStringLiteral("agent-docs"), SessionsModel::Action));
    QCOMPARE(commands.count(), 2);
    QCOMPARE(command(commands, 1).action, SessionCommand::Action::KillSession);
    QCOMPARE(command(commands, 1).target, QStringLiteral("agent-docs"));
}

void tst_SessionsPage::resumeButtonOnStoppedRows()
{
    SessionsPage page;
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(snapshotOf(everyState()));
    QSignalSpy commands(&page, &SessionsPage::commandRequested);
    QTableView *view = table(page);
    for (const QString &id : {QStringLiteral("agent-loop"), QStringLiteral("agent-old")}) {
        const QModelIndex button = cell(view, id, SessionsModel::Action);
        QCOMPARE(button.data().toString(), QStringLiteral("Resume"));
        clickCell(view, button);
        QCOMPARE(command(commands, int(commands.count()) - 1).action, SessionCommand::Action::ResumeSession);
        QCOMPARE(command(commands, int(commands.count()) - 1).target, id);
    }
    QCOMPARE(commands.count(), 2);
}

void tst_SessionsPage::stopAllAsksFirst()
{
    SessionsPage page;
    page.show();
    page.applySnapshot(snapshotOf(everyState()));
    QSignalSpy commands(&page, &SessionsPage::commandRequested);
    auto *stopAll = page.findChild<QPushButton *>(QStringLiteral("stopAllButton"));
    QVERIFY(stopAll);
    QCOMPARE(stopAll->text(), QStringLiteral("Stop all"));

    // Answers the question once it is up; `seen` is its text.
    QString seen;
    const auto answer = [&seen](QMessageBox::StandardButton which) {
        QTimer::singleShot(0, [&seen, which] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            seen = box->text();
            box->button(which)->click();
        });
    };
    answer(QMessageBox::Cancel);
    stopAll->click();
    QVERIFY2(seen.contains(QStringLiteral("every new request is refused")), qPrintable(seen));
    QCOMPARE(commands.count(), 0);

    seen.clear();
    answer(QMessageBox::Yes);
    stopAll->click();
    QVERIFY(!seen.isEmpty());
    QCOMPARE(commands.count(), 1);
    QCOMPARE(command(commands, 0).action, SessionCommand::Action::StopAll);
}

void tst_SessionsPage::resumeAllWhileStopped()
{
    SessionsPage page;
    page.setConfirmBulkActions(false);
    page.show();
    QSignalSpy commands(&page, &SessionsPage::commandRequested);
    auto *stopAll = page.findChild<QPushButton *>(QStringLiteral("stopAllButton"));
    stopAll->click();
    QCOMPARE(command(commands, 0).action, SessionCommand::Action::StopAll);

    page.applySnapshot(snapshotOf(everyState(), true));
    QCOMPARE(stopAll->text(), QStringLiteral("Resume all"));
    stopAll->click(); // no question to resume
    QCOMPARE(commands.count(), 2);
    QCOMPARE(command(commands, 1).action, SessionCommand::Action::ResumeAll);

    page.applySnapshot(snapshotOf(everyState(), false));
    QCOMPARE(stopAll->text(), QStringLiteral("Stop all"));
}

void tst_SessionsPage::killTenantFromContextMenu()
{
    SessionsPage page;
    page.setConfirmBulkActions(false);
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(snapshotOf(everyState()));
    QSignalSpy commands(&page, &SessionsPage::commandRequested);
    QTableView *view = table(page);

    QStringList offered;
    QTimer::singleShot(0, [&offered] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (QAction *a : menu->actions()) {
            offered << a->text();
            if (a->text() == QStringLiteral("Kill tenant beta"))
                a->trigger();
        }
        menu->close();
    });
    const QModelIndex loop = cell(view, QStringLiteral("agent-loop"), SessionsModel::Tenant);
    Q_EMIT view->customContextMenuRequested(view->visualRect(loop).center());
    QVERIFY2(offered.contains(QStringLiteral("Resume session agent-loop")), qPrintable(offered.join(", ")));
    QCOMPARE(commands.count(), 1);
    QCOMPARE(command(commands, 0).action, SessionCommand::Action::KillTenant);
    QCOMPARE(command(commands, 0).target, QStringLiteral("beta"));
}

void tst_SessionsPage::filterByTextAndState()
{
    SessionsPage page;
    page.show();
    page.applySnapshot(snapshotOf(everyState()));
    QTableView *view = table(page);
    auto *text = page.findChild<QLineEdit *>(QStringLiteral("sessionFilter"));
    auto *state = page.findChild<QComboBox *>(QStringLiteral("sessionStateFilter"));
    auto *count = page.findChild<QLabel *>(QStringLiteral("sessionCount"));
    QCOMPARE(view->model()->rowCount(), 5);
    QCOMPARE(count->text(), QStringLiteral("5 sessions"));

    QTest::keyClicks(text, QStringLiteral("BETA")); // a tenant, any case
    QCOMPARE(view->model()->rowCount(), 2);
    QCOMPARE(count->text(), QStringLiteral("2 of 5 sessions"));
    state->setCurrentIndex(state->findData(int(S::Tripped)));
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data(SessionsModel::SessionIdRole).toString(), QStringLiteral("agent-loop"));

    text->clear();
    QTest::keyClicks(text, QStringLiteral("ci-"));
    QCOMPARE(view->model()->rowCount(), 0);
    state->setCurrentIndex(0);
    QCOMPARE(view->model()->rowCount(), 1);
    // The filter holds as snapshots arrive.
    page.applySnapshot(snapshotOf(everyState() << session(QStringLiteral("ci-weekly"))));
    QCOMPARE(view->model()->rowCount(), 2);

    // Asking for a hidden session clears the filter.
    QVERIFY(page.selectSession(QStringLiteral("agent-old")));
    QCOMPARE(view->model()->rowCount(), 6);
    QCOMPARE(page.selectedSession(), QStringLiteral("agent-old"));
}

void tst_SessionsPage::sortsNumericallyByHeader()
{
    SessionsPage page;
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(snapshotOf({session("nine", S::Active, 9'000'000), session("ten", S::Active, 10'000'000),
                                   session("cents", S::Active, 950'000)}));
    QTableView *view = table(page);
    QHeaderView *header = view->horizontalHeader();
    const QPoint costHeader(header->sectionViewportPosition(SessionsModel::Cost) + header->sectionSize(SessionsModel::Cost) / 2,
                            header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, costHeader);
    QCOMPARE(header->sortIndicatorSection(), int(SessionsModel::Cost));
    const auto order = [view] {
        QStringList ids;
        for (int row = 0; row < view->model()->rowCount(); ++row)
            ids << view->model()->index(row, 0).data(SessionsModel::SessionIdRole).toString();
        return ids;
    };
    const QStringList ascending{"cents", "nine", "ten"};
    const QStringList descending{"ten", "nine", "cents"};
    const QStringList first = order();
    QVERIFY2(first == ascending || first == descending, qPrintable(first.join(", ")));
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, costHeader);
    QCOMPARE(order(), first == ascending ? descending : ascending);
}

void tst_SessionsPage::selectionAndDetailsSurviveSnapshots()
{
    SessionsPage page;
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QList<SessionView> list = everyState();
    page.applySnapshot(snapshotOf(list));
    QTableView *view = table(page);
    clickCell(view, cell(view, QStringLiteral("agent-loop"), SessionsModel::Session));
    QCOMPARE(page.selectedSession(), QStringLiteral("agent-loop"));
    auto *prompt = page.findChild<QLabel *>(QStringLiteral("sessionDetail_prompt"));
    auto *reason = page.findChild<QLabel *>(QStringLiteral("sessionDetail_reason"));
    QVERIFY(prompt && reason);
    QCOMPARE(reason->text(), list.at(2).reason);

    // Figures move under the selection (and a sort by Last seen reorders rows): it stays put.
    for (int tick = 1; tick <= 8; ++tick) {
        for (int i = 0; i < list.size(); ++i) {
            list[i].lastSeenMs = T0 + tick * 250 * (i + 1);
            list[i].costMicros += 1000 * i;
        }
        list[2].lastPrompt = QStringLiteral("prompt %1").arg(tick);
        page.applySnapshot(snapshotOf(list));
        QCOMPARE(page.selectedSession(), QStringLiteral("agent-loop"));
        const QModelIndexList selected = view->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(SessionsModel::SessionIdRole).toString(), QStringLiteral("agent-loop"));
    }
    QCOMPARE(prompt->text(), QStringLiteral("prompt 8"));

    // The session leaves the snapshot: nothing selected, the hint instead of stale details.
    list.removeAt(2);
    page.applySnapshot(snapshotOf(list));
    QVERIFY2(page.selectedSession().isEmpty(), qPrintable(page.selectedSession()));
    QVERIFY(!prompt->isVisibleTo(&page));
}

void tst_SessionsPage::rowsHoldStillUnderThePointer()
{
    SessionsPage page;
    page.resize(1000, 500);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QList<SessionView> list{session("a"), session("b"), session("c")};
    list[0].lastSeenMs = T0 + 3;
    list[1].lastSeenMs = T0 + 2;
    list[2].lastSeenMs = T0 + 1;
    page.applySnapshot(snapshotOf(list)); // sorted by Last seen, newest first: a, b, c
    QTableView *view = table(page);
    const auto order = [view] {
        QStringList ids;
        for (int row = 0; row < view->model()->rowCount(); ++row)
            ids << view->model()->index(row, 0).data(SessionsModel::SessionIdRole).toString();
        return ids;
    };
    QCOMPARE(order(), (QStringList{"a", "b", "c"}));

    QEvent enter(QEvent::Enter);
    QApplication::sendEvent(view->viewport(), &enter);
    list[2].lastSeenMs = T0 + 10; // c is now the newest
    page.applySnapshot(snapshotOf(list));
    QCOMPARE(order(), (QStringList{"a", "b", "c"}));
    // The figures still update in place.
    QCOMPARE(cell(view, QStringLiteral("c"), SessionsModel::LastSeen).data(SessionsModel::SortRole).toLongLong(), T0 + 10);

    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(view->viewport(), &leave);
    QCOMPARE(order(), (QStringList{"c", "a", "b"}));
}

void tst_SessionsPage::commandResultOnStatusLine()
{
    SessionsPage page;
    page.showCommandResult(SessionCommand::killSession(QStringLiteral("agent-7")),
                           {true, 2, QStringLiteral("Killed session agent-7: 2 request(s) in flight ended.")});
    auto *status = page.findChild<QLabel *>(QStringLiteral("sessionStatus"));
    QVERIFY(status->text().endsWith(QStringLiteral("Killed session agent-7: 2 request(s) in flight ended.")));
    page.showCommandResult(SessionCommand::resumeSession(QStringLiteral("nope")), {false, 0, QStringLiteral("Session nope is not blocked.")});
    QVERIFY2(status->text().contains(QStringLiteral("Not done: Session nope is not blocked.")), qPrintable(status->text()));
}

void tst_SessionsPage::tripBannerShowsTheSession()
{
    MainWindow window;
    window.show();
    window.applySnapshot(snapshotOf(everyState()));
    QCOMPARE(window.currentPage(), MainWindow::Page::Overview);
    auto *banner = window.findChild<StateBanner *>(QStringLiteral("sessionTripBanner"));
    QVERIFY(banner && !banner->isVisible());
    window.showSessionTrip({QStringLiteral("agent-loop")}, QStringLiteral("repeated_tool_call"),
                           QStringLiteral("read_file(src/a.cpp) 14 times in 120 s"), false);
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->kind(), StateBanner::Kind::Error);
    QVERIFY2(banner->text().contains(QStringLiteral("agent-loop")), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(QStringLiteral("read_file(src/a.cpp) 14 times")), qPrintable(banner->text()));

    auto *show = banner->findChild<QPushButton *>(QStringLiteral("showTrippedSessionButton"));
    QVERIFY(show);
    QTest::mouseClick(show, Qt::LeftButton);
    QCOMPARE(window.currentPage(), MainWindow::Page::Sessions);
    QCOMPARE(window.sessionsPage()->selectedSession(), QStringLiteral("agent-loop"));

    window.showSessionTrip({QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("cost_velocity"), QStringLiteral("$4 in 60 s"), true);
    QCOMPARE(banner->kind(), StateBanner::Kind::Warning);
    QVERIFY(banner->text().contains(QStringLiteral("a, b")));
}

void tst_SessionsPage::screenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void tst_SessionsPage::screenshots()
{
    QFETCH(bool, dark);
    const QPalette original = QApplication::palette();
    if (dark) {
        // A dark Fusion palette, as a dark desktop theme gives the console.
        QPalette p;
        p.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(QPalette::Base, QColor(0x2a, 0x2a, 0x2a));
        p.setColor(QPalette::AlternateBase, QColor(0x32, 0x32, 0x32));
        p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
        p.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xc9));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x35));
        p.setColor(QPalette::ToolTipText, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
        QApplication::setPalette(p);
    }
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // A second tripped session, so each state's colour shows on a row that is not selected.
        QList<SessionView> sessions = everyState();
        sessions << session(QStringLiteral("agent-retry"), S::Tripped, 3'100'000, QStringLiteral("beta"));
        sessions.last().reason = QStringLiteral("cost velocity: $3.10 in 60 s, over the $2.00 limit");
        sessions.last().lastSeenMs = T0 - 20'000;
        // Moved to today, so the times read as they would in a live console.
        const qint64 shift = QDateTime::currentMSecsSinceEpoch() - T0;
        for (SessionView &v : sessions) {
            v.firstSeenMs += shift;
            v.lastSeenMs += shift;
            v.stateSinceMs += shift;
        }
        GatewaySnapshot s = snapshotOf(sessions);
        s.takenAtMs += shift;
        s.sessionsKnown = 9;
        window.applySnapshot(s);
        window.showSessionTrip({QStringLiteral("agent-loop")}, QStringLiteral("repeated_tool_call"),
                               QStringLiteral("read_file(src/a.cpp) 14 times in 120 s"), false);
        window.showPage(MainWindow::Page::Sessions);
        window.sessionsPage()->selectSession(QStringLiteral("agent-loop"));
        window.showCommandResult(SessionCommand::killSession(QStringLiteral("agent-old")),
                                 {true, 1, QStringLiteral("Killed session agent-old: 1 request(s) in flight ended.")});
        QCoreApplication::processEvents();
        const QPixmap pixmap = window.grab();
        const QString path = QDir(QCoreApplication::applicationDirPath())
                                 .filePath(dark ? QStringLiteral("console-sessions-dark.png") : QStringLiteral("console-sessions.png"));
        QVERIFY2(pixmap.save(path), qPrintable(path));
        qInfo("screenshot: %s", qPrintable(path));

        // Every state's colour is on screen (the State column's text) in this palette.
        const QImage image = pixmap.toImage();
        QTableView *view = table(window);
        for (S state : {S::Active, S::Throttled, S::Tripped, S::Killed}) {
            const QColor want = view->model()->index(0, 0).isValid()
                                    ? ConsolePalette::readableOn(SessionsModel::stateColor(state), QApplication::palette().color(QPalette::Base))
                                    : QColor();
            bool found = false;
            for (int y = 0; y < image.height() && !found; ++y) {
                for (int x = 0; x < image.width() && !found; ++x) {
                    const QColor c = image.pixelColor(x, y);
                    found = qAbs(c.red() - want.red()) < 8 && qAbs(c.green() - want.green()) < 8 && qAbs(c.blue() - want.blue()) < 8;
                }
            }
            QVERIFY2(found, qPrintable(SessionView::stateName(state)));
        }
    }
    QApplication::setPalette(original);
}

void tst_SessionsPage::applySnapshotCost_data()
{
    QTest::addColumn<int>("sessions");
    QTest::newRow("1000") << 1000;
    QTest::newRow("1200, the snapshot's bound") << 1200;
}

void tst_SessionsPage::applySnapshotCost()
{
    // Sessions that all change on every snapshot, the page on screen and sorted by Last seen.
    QFETCH(int, sessions);
    MainWindow window;
    window.show();
    window.showPage(MainWindow::Page::Sessions);
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.applySnapshot(snapshotOf(crowd(sessions, 0)));
    window.sessionsPage()->selectSession(QStringLiteral("agent-0500"));
    QCoreApplication::processEvents();

    constexpr int Snapshots = 40;
    qint64 applyTotal = 0, applyMax = 0, paintTotal = 0;
    for (int tick = 1; tick <= Snapshots; ++tick) {
        const GatewaySnapshot s = snapshotOf(crowd(sessions, tick));
        QElapsedTimer timer;
        timer.start();
        window.applySnapshot(s);
        const qint64 apply = timer.nsecsElapsed();
        window.repaint(); // what the next frame costs, drawn now rather than whenever
        QCoreApplication::processEvents();
        paintTotal += timer.nsecsElapsed() - apply;
        applyTotal += apply;
        applyMax = qMax(applyMax, apply);
    }
    QCOMPARE(window.sessionsPage()->selectedSession(), QStringLiteral("agent-0500"));
    const double applyMs = applyTotal / 1e6 / Snapshots;
    qInfo("applySnapshot with %d sessions: %.2f ms mean, %.2f ms max; repaint after it: %.2f ms mean", sessions, applyMs,
          applyMax / 1e6, paintTotal / 1e6 / Snapshots);
    // Four snapshots a second leave 250 ms each; the page must use a small part of that.
    QVERIFY2(applyMs < 60.0, qPrintable(QString::number(applyMs)));
}

QTEST_MAIN(tst_SessionsPage)
#include "tst_SessionsPage.moc"
