// DesktopNotifier: which events become notifications, what they say, and that the same subject is
// announced at most once a minute while different subjects all get through.
#include "tray/DesktopNotifier.h"

#include <QSignalSpy>
#include <QtTest>

class tst_DesktopNotifier : public QObject
{
    Q_OBJECT
private slots:
    void aBudgetAlertAndItsCapAreTwoNotifications()
    {
        DesktopNotifier n;
        QList<DesktopNotifier::Notification> shown;
        n.setSink([&](const DesktopNotifier::Notification &x) { shown.append(x); });
        n.budgetAlert(QStringLiteral("tenant * per day"), QStringLiteral("acme"), 0.8, QStringLiteral("acme has spent 80%"));
        n.budgetAlert(QStringLiteral("tenant * per day"), QStringLiteral("acme"), 1.0, QStringLiteral("acme reached its cap"));
        QCOMPARE(shown.size(), 2);
        QCOMPARE(shown.at(0).kind, DesktopNotifier::Kind::BudgetAlert);
        QCOMPARE(shown.at(0).title, QStringLiteral("Budget at 80%: tenant * per day (acme)"));
        QCOMPARE(shown.at(0).text, QStringLiteral("acme has spent 80%"));
        QCOMPARE(shown.at(1).kind, DesktopNotifier::Kind::BudgetCap);
        QVERIFY(shown.at(1).title.startsWith(QLatin1String("Budget cap reached")));
    }

    void theSameSubjectIsAnnouncedOnceAMinute()
    {
        DesktopNotifier n;
        QSignalSpy notified(&n, &DesktopNotifier::notified);
        const qint64 t0 = 1'000'000;
        QVERIFY(n.notify(DesktopNotifier::Kind::SessionTripped, QStringLiteral("a"), QStringLiteral("t"), QStringLiteral("x"), t0));
        QVERIFY(!n.notify(DesktopNotifier::Kind::SessionTripped, QStringLiteral("a"), QStringLiteral("t"), QStringLiteral("x"), t0 + 59'999));
        // Another subject, or another kind about the same one, is news.
        QVERIFY(n.notify(DesktopNotifier::Kind::SessionTripped, QStringLiteral("b"), QStringLiteral("t"), QStringLiteral("x"), t0 + 1));
        QVERIFY(n.notify(DesktopNotifier::Kind::SessionKilled, QStringLiteral("a"), QStringLiteral("t"), QStringLiteral("x"), t0 + 2));
        QVERIFY(n.notify(DesktopNotifier::Kind::SessionTripped, QStringLiteral("a"), QStringLiteral("t"), QStringLiteral("x"), t0 + 60'000));
        QCOMPARE(notified.size(), 4);
        QCOMPARE(n.recent().size(), 4);
    }

    void aTripNamesTheSessionsAndTheEvidence()
    {
        DesktopNotifier n;
        n.sessionTripped({QStringLiteral("agent-a"), QStringLiteral("agent-b")}, QStringLiteral("ping_pong"),
                         QStringLiteral("5 handoffs in 30 s"), false);
        n.sessionTripped({QStringLiteral("agent-c")}, QStringLiteral("repetition"), QStringLiteral("12 near-identical prompts"), true);
        QCOMPARE(n.recent().size(), 2);
        QCOMPARE(n.recent().at(0).title, QStringLiteral("Session stopped: agent-a, agent-b"));
        QCOMPARE(n.recent().at(0).text, QStringLiteral("ping_pong: 5 handoffs in 30 s"));
        QCOMPARE(n.recent().at(1).title, QStringLiteral("Possible runaway loop: agent-c"));
    }

    void onlyTheLatestAreKept()
    {
        DesktopNotifier n;
        for (int i = 0; i < DesktopNotifier::Kept + 30; ++i)
            n.notify(DesktopNotifier::Kind::SessionKilled, QString::number(i), QStringLiteral("t"), QStringLiteral("x"), i);
        QCOMPARE(n.recent().size(), DesktopNotifier::Kept);
        QCOMPARE(n.recent().last().key, QString::number(DesktopNotifier::Kept + 29));
    }
};

QTEST_MAIN(tst_DesktopNotifier)
#include "tst_DesktopNotifier.moc"
