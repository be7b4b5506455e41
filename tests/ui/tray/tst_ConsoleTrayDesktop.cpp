// The console in a real system tray (Xvfb with trayer docked, see with-a-tray.sh): the tray icon is
// shown, closing the window hides it while the gateway goes on serving requests, the tray's
// "Show TokenFuse" brings the window back, and its Quit quits.
#include "ConsoleWiring.h"
#include "GatewayClient.h"
#include "GatewayUnderTest.h"
#include "MainWindow.h"
#include "core/GatewayHost.h"
#include "tray/ConsoleTray.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QtTest>

class tst_ConsoleTrayDesktop : public QObject
{
    Q_OBJECT
private slots:
    void closingKeepsTheGatewayInTheTray()
    {
        // trayer takes the tray selection a moment after it starts.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 10000);
        QTemporaryDir dataDir;
        QString error;
        GatewayHost *host = GatewayUnderTest::create(QJsonObject{}, dataDir.path(), this, &error);
        QVERIFY2(host, qPrintable(error));
        MainWindow window;
        ConsoleWiring::connect(*host, window);
        QVERIFY(window.tray()->isAvailable());
        window.setKeepRunningInTray(true);
        QApplication::setQuitOnLastWindowClosed(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const quint16 port = GatewayUnderTest::start(host);
        QVERIFY(port != 0);

        QVERIFY(window.close() == false); // the close is refused: the window goes to the tray
        QVERIFY(!window.isVisible());
        GatewayClient client(port, dataDir.path());
        const GatewayClient::Reply reply = client.call("/v1/chat/completions",
                                                       R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"still there?"}]})");
        QCOMPARE(reply.status, 200);

        QMenu *menu = window.tray()->menu();
        menu->actions().first()->trigger(); // Show TokenFuse
        QTRY_VERIFY(window.isVisible());

        QSignalSpy quit(&window, &MainWindow::quitRequested);
        menu->findChild<QAction *>(QStringLiteral("trayQuit"))->trigger();
        QCOMPARE(quit.size(), 1);
        host->stop();
    }
};

QTEST_MAIN(tst_ConsoleTrayDesktop)
#include "tst_ConsoleTrayDesktop.moc"
