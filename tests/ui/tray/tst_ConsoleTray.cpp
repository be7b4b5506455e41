// ConsoleTray: the day's spend on the icon in four characters, the icon's colour for the state
// (green, amber near today's cap, red when something is tripped, killed or stopped), the tooltip's
// figures, and the menu's emergency brake. Offscreen there is no tray: the state is kept all the same.
#include "ConsolePalette.h"
#include "tray/ConsoleTray.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QtTest>

namespace {
QColor centreColourOf(const QIcon &icon)
{
    const QImage image = icon.pixmap(64, 64).toImage();
    return image.pixelColor(3, image.height() / 2); // the disc, left of the figure
}
} // namespace

class tst_ConsoleTray : public QObject
{
    Q_OBJECT
private slots:
    void shortMoney_data()
    {
        QTest::addColumn<qint64>("micros");
        QTest::addColumn<QString>("currency");
        QTest::addColumn<QString>("shown");
        QTest::newRow("nothing") << qint64(0) << QStringLiteral("USD") << QStringLiteral("$0");
        QTest::newRow("cents") << qint64(420'000) << QStringLiteral("USD") << QStringLiteral("$.42");
        QTest::newRow("dollars") << qint64(3'240'000) << QStringLiteral("USD") << QStringLiteral("$3.2");
        QTest::newRow("tens") << qint64(42'400'000) << QStringLiteral("USD") << QStringLiteral("$42");
        QTest::newRow("thousands") << qint64(1'250'000'000) << QStringLiteral("USD") << QStringLiteral("1.3k");
        QTest::newRow("tens of thousands") << qint64(28'000'000'000) << QStringLiteral("USD") << QStringLiteral("28k");
        QTest::newRow("yuan") << qint64(5'000'000) << QStringLiteral("CNY") << QStringLiteral("¥5.0");
    }

    void shortMoney()
    {
        QFETCH(qint64, micros);
        QFETCH(QString, currency);
        QFETCH(QString, shown);
        QCOMPARE(ConsoleTray::shortMoney(micros, currency), shown);
        QVERIFY(shown.size() <= 4);
    }

    void theIconFollowsTheDay()
    {
        ConsoleTray tray;
        GatewaySnapshot s;
        s.state = GatewaySnapshot::State::Running;
        s.spentTodayMicros = 3'000'000;
        s.dayCapMicros = 10'000'000;
        tray.applySnapshot(s);
        QCOMPARE(tray.state(), ConsoleTray::State::Normal);
        QCOMPARE(tray.iconText(), QStringLiteral("$3.0"));
        QCOMPARE(centreColourOf(tray.icon()), ConsolePalette::success());
        QVERIFY2(tray.toolTip().contains(QLatin1String("$3.00 today of $10.00")), qPrintable(tray.toolTip()));

        s.spentTodayMicros = 8'500'000; // past 80% of today's cap
        tray.applySnapshot(s);
        QCOMPARE(tray.state(), ConsoleTray::State::Warning);
        QCOMPARE(centreColourOf(tray.icon()), ConsolePalette::pending());

        s.spentTodayMicros = 4'000'000;
        s.sessionsTripped = 1;
        tray.applySnapshot(s);
        QCOMPARE(tray.state(), ConsoleTray::State::Alert);
        QCOMPARE(centreColourOf(tray.icon()), ConsolePalette::failure());
        QVERIFY2(tray.toolTip().contains(QLatin1String("1 session(s) tripped")) || tray.toolTip().contains(QLatin1String("1 session tripped")),
                 qPrintable(tray.toolTip()));

        s.sessionsTripped = 0;
        s.stoppedAll = true;
        tray.applySnapshot(s);
        QCOMPARE(tray.state(), ConsoleTray::State::Alert);
        QVERIFY(tray.toolTip().contains(QLatin1String("Stop all is on")));
    }

    void theMenuPullsAndReleasesTheBrake()
    {
        ConsoleTray tray;
        QSignalSpy commands(&tray, &ConsoleTray::commandRequested);
        QSignalSpy quit(&tray, &ConsoleTray::quitRequested);
        QAction *brake = tray.menu()->findChild<QAction *>(QStringLiteral("trayStopAll"));
        QVERIFY(brake);
        brake->trigger();
        QCOMPARE(commands.size(), 1);
        QCOMPARE(commands.at(0).at(0).value<SessionCommand>().action, SessionCommand::Action::StopAll);

        GatewaySnapshot stopped;
        stopped.stoppedAll = true;
        tray.applySnapshot(stopped);
        QCOMPARE(brake->text(), QStringLiteral("Resume all"));
        brake->trigger();
        QCOMPARE(commands.at(1).at(0).value<SessionCommand>().action, SessionCommand::Action::ResumeAll);

        tray.menu()->findChild<QAction *>(QStringLiteral("trayQuit"))->trigger();
        QCOMPARE(quit.size(), 1);
    }
};

QTEST_MAIN(tst_ConsoleTray)
#include "tst_ConsoleTray.moc"
