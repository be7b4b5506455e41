// The concurrency limit and wait queue of one upstream, on a clock the test moves: who is
// admitted, who waits, in which order, who is refused and why, and how 429s move the limit.
#include "upstream/UpstreamGate.h"

#include <QtTest>

namespace {
struct Log
{
    QStringList events;
    UpstreamGate::Admit admit(const QString &who)
    {
        return [this, who] { events << QStringLiteral("admit ") + who; };
    }
    UpstreamGate::Refuse refuse(const QString &who)
    {
        return [this, who](const QString &why) { events << QStringLiteral("refuse %1: %2").arg(who, why); };
    }
};

UpstreamGate gateWith(int limit, int queue, qint64 timeoutMs = 30'000)
{
    UpstreamGate gate;
    gate.configure({{QStringLiteral("u"), UpstreamGate::Settings{limit, queue, timeoutMs}}});
    return gate;
}
} // namespace

class tst_UpstreamGate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void admitsUpToTheLimitThenQueuesInOrder()
    {
        UpstreamGate gate = gateWith(2, 10);
        Log log;
        quint64 t = 0;
        QString why;
        QCOMPARE(gate.enter("u", 0, 0, log.admit("a"), log.refuse("a"), &t, &why), UpstreamGate::Entry::Admitted);
        QCOMPARE(gate.enter("u", 0, 0, log.admit("b"), log.refuse("b"), &t, &why), UpstreamGate::Entry::Admitted);
        QCOMPARE(gate.enter("u", 0, 1, log.admit("c"), log.refuse("c"), &t, &why), UpstreamGate::Entry::Queued);
        QCOMPARE(gate.enter("u", 0, 2, log.admit("d"), log.refuse("d"), &t, &why), UpstreamGate::Entry::Queued);
        QCOMPARE(gate.held("u"), 2);
        QCOMPARE(gate.queued("u"), 2);
        QVERIFY(log.events.isEmpty());
        gate.leave("u");
        QCOMPARE(log.events, QStringList{"admit c"});
        gate.leave("u");
        QCOMPARE(log.events, (QStringList{"admit c", "admit d"}));
        QCOMPARE(gate.held("u"), 2);
        QCOMPARE(gate.queued("u"), 0);
        // Nobody waits ahead of a newcomer once the queue is empty and a slot is free.
        gate.leave("u");
        QCOMPARE(gate.enter("u", 0, 3, log.admit("e"), log.refuse("e"), &t, &why), UpstreamGate::Entry::Admitted);
    }

    void higherTiersAreServedFirst()
    {
        UpstreamGate gate = gateWith(1, 10);
        Log log;
        quint64 t = 0;
        QString why;
        QCOMPARE(gate.enter("u", 0, 0, log.admit("holder"), log.refuse("holder"), &t, &why), UpstreamGate::Entry::Admitted);
        gate.enter("u", -1, 1, log.admit("batch"), log.refuse("batch"), &t, &why);
        gate.enter("u", 0, 2, log.admit("normal"), log.refuse("normal"), &t, &why);
        gate.enter("u", 5, 3, log.admit("vip"), log.refuse("vip"), &t, &why);
        gate.enter("u", 0, 4, log.admit("normal2"), log.refuse("normal2"), &t, &why);
        for (int i = 0; i < 4; ++i)
            gate.leave("u");
        QCOMPARE(log.events, (QStringList{"admit vip", "admit normal", "admit normal2", "admit batch"}));
    }

    void aFullQueueRefusesTheLowestTier()
    {
        UpstreamGate gate = gateWith(1, 2);
        Log log;
        quint64 t = 0;
        QString why;
        gate.enter("u", 0, 0, log.admit("holder"), log.refuse("holder"), &t, &why);
        QCOMPARE(gate.enter("u", -1, 1, log.admit("low1"), log.refuse("low1"), &t, &why), UpstreamGate::Entry::Queued);
        QCOMPARE(gate.enter("u", -1, 2, log.admit("low2"), log.refuse("low2"), &t, &why), UpstreamGate::Entry::Queued);
        // Same tier as the last in line: the newcomer is refused, with the reason.
        QCOMPARE(gate.enter("u", -1, 3, log.admit("low3"), log.refuse("low3"), &t, &why), UpstreamGate::Entry::Refused);
        QVERIFY2(why.contains(QLatin1String("queue is full")) && why.contains(QLatin1String("1 requests in flight")), qPrintable(why));
        // A higher tier takes the latest low one's place; that one hears why.
        QCOMPARE(gate.enter("u", 1, 4, log.admit("high"), log.refuse("high"), &t, &why), UpstreamGate::Entry::Queued);
        QCOMPARE(log.events.size(), 1);
        QVERIFY2(log.events[0].startsWith(QLatin1String("refuse low2: ")) && log.events[0].contains(QLatin1String("higher tier")), qPrintable(log.events[0]));
        QCOMPARE(gate.queued("u"), 2);
        gate.leave("u");
        gate.leave("u");
        QCOMPARE(log.events.mid(1), (QStringList{"admit high", "admit low1"}));
    }

    void aLongWaitIsRefusedAndALeaverGivesItsPlaceBack()
    {
        UpstreamGate gate = gateWith(1, 5, 1000);
        Log log;
        quint64 t1 = 0, t2 = 0;
        QString why;
        gate.enter("u", 0, 0, log.admit("holder"), log.refuse("holder"), &t1, &why);
        gate.enter("u", 0, 100, log.admit("gone"), log.refuse("gone"), &t1, &why);
        gate.enter("u", 0, 200, log.admit("late"), log.refuse("late"), &t2, &why);
        gate.cancel("u", t1);
        QCOMPARE(gate.queued("u"), 1);
        gate.expire(1199);
        QVERIFY(log.events.isEmpty());
        gate.expire(1200);
        QCOMPARE(log.events.size(), 1);
        QVERIFY2(log.events[0].startsWith(QLatin1String("refuse late: ")) && log.events[0].contains(QLatin1String("within 1 s")), qPrintable(log.events[0]));
        QCOMPARE(gate.queued("u"), 0);
        gate.leave("u");
        QCOMPARE(log.events.size(), 1); // the cancelled one is never admitted
    }

    void noQueueMeansRefusedAtOnce()
    {
        UpstreamGate gate = gateWith(1, 0);
        Log log;
        quint64 t = 0;
        QString why;
        gate.enter("u", 0, 0, log.admit("a"), log.refuse("a"), &t, &why);
        QCOMPARE(gate.enter("u", 9, 0, log.admit("b"), log.refuse("b"), &t, &why), UpstreamGate::Entry::Refused);
        QVERIFY(why.contains(QLatin1String("no wait queue")));
    }

    void anUpstreamWithoutALimitAdmitsEveryone()
    {
        UpstreamGate gate = gateWith(0, 0);
        Log log;
        quint64 t = 0;
        QString why;
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(gate.enter("u", 0, 0, log.admit("x"), log.refuse("x"), &t, &why), UpstreamGate::Entry::Admitted);
        QCOMPARE(gate.held("u"), 1000);
        // An upstream the gate does not know (the simulator) is never held back.
        QCOMPARE(gate.enter("other", 0, 0, log.admit("y"), log.refuse("y"), &t, &why), UpstreamGate::Entry::Admitted);
    }

    void a429LowersTheLimitAndSuccessesRaiseItAgain()
    {
        UpstreamGate gate = gateWith(10, 100);
        gate.noteOutcome("u", 10'000, true);
        QCOMPARE(gate.limit("u"), 7);
        // A burst of 429s from one overload counts once.
        gate.noteOutcome("u", 10'500, true);
        QCOMPARE(gate.limit("u"), 7);
        gate.noteOutcome("u", 11'000, true);
        QCOMPARE(gate.limit("u"), 4);
        // Every `limit` successes in a row: one more.
        for (int i = 0; i < 3; ++i)
            gate.noteOutcome("u", 12'000, false);
        QCOMPARE(gate.limit("u"), 4);
        gate.noteOutcome("u", 12'000, false);
        QCOMPARE(gate.limit("u"), 5);
        for (int i = 0; i < 100; ++i)
            gate.noteOutcome("u", 13'000, false);
        QCOMPARE(gate.limit("u"), 10); // never above the configured limit
    }

    void aLoweredLimitHoldsBackTheQueueAndRaisingItLetsItIn()
    {
        UpstreamGate gate = gateWith(2, 10);
        Log log;
        quint64 t = 0;
        QString why;
        gate.enter("u", 0, 0, log.admit("a"), log.refuse("a"), &t, &why);
        gate.noteOutcome("u", 5'000, true); // 2 -> 1
        QCOMPARE(gate.limit("u"), 1);
        QCOMPARE(gate.enter("u", 0, 0, log.admit("b"), log.refuse("b"), &t, &why), UpstreamGate::Entry::Queued);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        gate.noteOutcome("u", 6'000, false); // one success at limit 1: back to 2, b goes in
        QCOMPARE(gate.limit("u"), 2);
        QCOMPARE(log.events, QStringList{"admit b"});
    }

    void withoutALimitA429MakesOneFromWhatIsInFlight()
    {
        UpstreamGate gate = gateWith(0, 10);
        Log log;
        quint64 t = 0;
        QString why;
        for (int i = 0; i < 10; ++i)
            gate.enter("u", 0, 0, log.admit("x"), log.refuse("x"), &t, &why);
        gate.noteOutcome("u", 1'000, true);
        QCOMPARE(gate.limit("u"), 7);
        QCOMPARE(gate.enter("u", 0, 1'000, log.admit("y"), log.refuse("y"), &t, &why), UpstreamGate::Entry::Queued);
        // Recovering long after the last 429, it has no limit again.
        for (int i = 0; i < 50; ++i)
            gate.noteOutcome("u", 100'000, false);
        QCOMPARE(gate.limit("u"), 0);
        QVERIFY(log.events.contains(QStringLiteral("admit y")));
    }

    void aRequestThatFailsOverTakesItsSlotWithIt()
    {
        UpstreamGate gate;
        gate.configure({{QStringLiteral("a"), UpstreamGate::Settings{1, 10, 30'000}}, {QStringLiteral("b"), UpstreamGate::Settings{1, 10, 30'000}}});
        Log log;
        quint64 t = 0;
        QString why;
        QCOMPARE(gate.enter("a", 0, 0, log.admit("r1"), log.refuse("r1"), &t, &why), UpstreamGate::Entry::Admitted);
        QCOMPARE(gate.enter("b", 0, 0, log.admit("r2"), log.refuse("r2"), &t, &why), UpstreamGate::Entry::Admitted);
        QCOMPARE(gate.enter("a", 0, 0, log.admit("waiting"), log.refuse("waiting"), &t, &why), UpstreamGate::Entry::Queued);
        // r1 fails over from a to b: b is over its limit for a while, a's waiter goes in.
        gate.takeOver("b");
        gate.leave("a");
        QCOMPARE(log.events, QStringList{"admit waiting"});
        QCOMPARE(gate.held("a"), 1);
        QCOMPARE(gate.held("b"), 2);
        QCOMPARE(gate.enter("b", 0, 0, log.admit("r3"), log.refuse("r3"), &t, &why), UpstreamGate::Entry::Queued);
        gate.leave("b"); // back to its limit: still no room
        QCOMPARE(log.events.size(), 1);
        gate.leave("b");
        QCOMPARE(log.events.last(), QStringLiteral("admit r3"));
    }

    void aReloadKeepsTheCountsAndAGoneUpstreamLetsItsQueueGo()
    {
        UpstreamGate gate = gateWith(1, 10);
        Log log;
        quint64 t = 0;
        QString why;
        gate.enter("u", 0, 0, log.admit("a"), log.refuse("a"), &t, &why);
        gate.enter("u", 0, 0, log.admit("b"), log.refuse("b"), &t, &why);
        // A higher limit from the config: the waiter goes in at once.
        gate.configure({{QStringLiteral("u"), UpstreamGate::Settings{2, 10, 30'000}}});
        QCOMPARE(log.events, QStringList{"admit b"});
        QCOMPARE(gate.held("u"), 2);
        gate.enter("u", 0, 0, log.admit("c"), log.refuse("c"), &t, &why);
        gate.configure({});
        QCOMPARE(log.events, (QStringList{"admit b", "admit c"}));
        QCOMPARE(gate.queued("u"), 0);
    }
};

QTEST_APPLESS_MAIN(tst_UpstreamGate)
#include "tst_UpstreamGate.moc"
